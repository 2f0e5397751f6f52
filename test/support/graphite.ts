/**
 * A REAL graphite-web (Debian `graphite-web`, `graphite-manage runserver`) for tests: its settings module,
 * SQLite database, whisper folder, index and logs in a temp folder instead of /etc/graphite and
 * /var/lib/graphite; history written straight into whisper files with Debian's `whisper` module.
 *
 *   const graphite = await startGraphite([{ path: 'svc.checkout.p99', points: [[t, 0.3], ...] }]);
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, type RunningServer, runCommand, startServer } from './server-process.js';

/** Debian's python3, which has the `whisper` module (another python3 on PATH may not). */
const SYSTEM_PYTHON = '/usr/bin/python3';

export function graphiteSkipReason(): string | null {
  if (!findBinary('graphite-manage')) {
    return 'skipped: graphite-manage was not found (install the Debian "graphite-web" package)';
  }
  return existsSync(SYSTEM_PYTHON)
    ? null
    : 'skipped: /usr/bin/python3 was not found (install the Debian "python3-whisper" package)';
}

export interface WhisperSeries {
  /** Dotted metric path, e.g. `svc.checkout.p99`. */
  path: string;
  /** `[unix seconds, value]`; null leaves the slot empty (Graphite renders it as null). */
  points: Array<[number, number | null]>;
}

const SETTINGS = `import os
_root = os.environ['SSM_GRAPHITE_ROOT']
SECRET_KEY = 'test-only-not-a-secret'
STORAGE_DIR = os.path.join(_root, 'storage')
WHISPER_DIR = os.path.join(_root, 'storage', 'whisper')
LOG_DIR = os.path.join(_root, 'storage', 'log')
INDEX_FILE = os.path.join(_root, 'storage', 'index')
CONF_DIR = _root
DATABASES = {'default': {'NAME': os.path.join(_root, 'graphite.db'), 'ENGINE': 'django.db.backends.sqlite3'}}
LOG_ROTATION = False
DEFAULT_XFILES_FACTOR = 0
`;

const WRITE_WHISPER = `import json, os, sys, whisper
root = sys.argv[1]
for series in json.load(sys.stdin):
    path = os.path.join(root, *series['path'].split('.')) + '.wsp'
    os.makedirs(os.path.dirname(path), exist_ok=True)
    whisper.create(path, [(60, 60 * 24 * 400)], xFilesFactor=0)
    whisper.update_many(path, [(t, v) for t, v in series['points'] if v is not None])
`;

export async function startGraphite(series: WhisperSeries[]): Promise<RunningServer> {
  const manage = findBinary('graphite-manage');
  if (!manage) throw new Error(graphiteSkipReason() ?? 'graphite-manage not found');
  const root = await mkdtemp(join(tmpdir(), 'ssm-graphite-'));
  const env = {
    SSM_GRAPHITE_ROOT: root,
    PYTHONPATH: root,
    GRAPHITE_SETTINGS_MODULE: 'ssm_graphite_settings',
    PYTHONDONTWRITEBYTECODE: '1',
  };
  try {
    // graphite-web opens its log files at import time and does not create their folder.
    await mkdir(join(root, 'storage', 'log'), { recursive: true });
    await writeFile(join(root, 'ssm_graphite_settings.py'), SETTINGS);
    await writeFile(join(root, 'write_whisper.py'), WRITE_WHISPER);
    const whisperDir = join(root, 'storage', 'whisper');
    await runCommand(SYSTEM_PYTHON, [join(root, 'write_whisper.py'), whisperDir], {
      input: JSON.stringify(series),
    });
    await runCommand(manage, ['migrate', '--run-syncdb'], { cwd: root, env: { ...env, HOME: root } });
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return startServer(
    {
      name: 'graphite',
      binary: manage,
      readyPath: '/render?target=nothing&format=json',
      args: (_root, port) => ['runserver', `127.0.0.1:${port}`, '--noreload'],
      env: () => env,
    },
    root,
  );
}
