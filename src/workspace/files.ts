import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../common/errors.js';
import { hasControlChars, quoteForMessage } from './paths.js';
import type { RunDir, SmartSpecSettings } from './types.js';
import { assertWritable, makeWritableDir, type WriteScope } from './write-scope.js';

// Enough for any real collision burst; beyond it something is wrong (e.g. a fixed --run-id in a loop).
const MAX_COLLISION_SUFFIX = 1000;

async function fsyncDirectory(dir: string): Promise<void> {
  // Makes the rename durable; not every platform lets a directory be opened for fsync.
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `target` so readers see the old content or the new one, never half: a temp file
 * in the same folder, fsync, rename. The temp file is removed when anything fails. The folder is
 * checked against the write scope right before (UserError('unsafe_path') when it may not be written);
 * a symlink at `target` itself is replaced by the rename, never written through.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Buffer,
  scope: WriteScope,
): Promise<void> {
  const dir = path.dirname(target);
  assertWritable(scope, dir);
  const temp = path.join(
    dir,
    // Only against collisions ('wx' refuses an existing file): node:crypto is not worth loading for it.
    `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`,
  );
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', 0o644);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dir);
}

function unsafeRunIdReason(runId: string): string | null {
  if (runId === '' || runId === '.' || runId === '..') return 'is empty or a dot name';
  if (hasControlChars(runId)) return 'contains control characters';
  if (runId.includes('/') || runId.includes('\\')) return 'contains a path separator';
  return null;
}

/**
 * Creates `<base>/<runId>` and never reuses an existing run folder: the last segment is made with a
 * non-recursive mkdir, which fails when it exists. On collision, 'new_run_id' tries `<runId>-2`,
 * `-3`…; 'fail' throws UserError('unsafe_path').
 */
export async function createRunDir(
  base: string,
  runId: string,
  onCollision: SmartSpecSettings['onCollision'],
  scope: WriteScope,
): Promise<RunDir> {
  const unsafe = unsafeRunIdReason(runId);
  if (unsafe !== null) {
    throw new UserError('unsafe_path', `run id ${quoteForMessage(runId)} ${unsafe}`, {
      field: 'run-id',
      hint: 'a run id is a single folder name such as 20250101-120000Z',
    });
  }
  await makeWritableDir(scope, base);
  for (let attempt = 1; attempt <= MAX_COLLISION_SUFFIX; attempt++) {
    const candidate = attempt === 1 ? runId : `${runId}-${attempt}`;
    const dir = path.join(base, candidate);
    try {
      await fs.mkdir(dir);
      return { dir, runId: candidate };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (onCollision === 'fail') {
        throw new UserError(
          'unsafe_path',
          `output folder ${quoteForMessage(dir, 300)} already exists; not overwriting it`,
          {
            field: 'run-id',
            hint: 'use another run id, or set safety.output_collision.on_collision: new_run_id in .spec/smartspec.config.yaml',
          },
        );
      }
    }
  }
  throw new UserError(
    'unsafe_path',
    `run folders ${quoteForMessage(runId)} to ${runId}-${MAX_COLLISION_SUFFIX} all exist`,
    {
      field: 'run-id',
      hint: 'use a fresh run id (the default is a timestamp) or clean up old runs',
    },
  );
}
