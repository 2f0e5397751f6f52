import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { parseObservabilityConfig } from '../../src/config/load.js';
import type { DaemonFlags, SettingsSource } from '../../src/daemon/settings.js';
import { daemonSettings } from '../../src/daemon/settings.js';

const ROOT = '/workspace';
const PROVIDER = 'provider: prometheus\nurl: http://127.0.0.1:9\nmetrics:\n  - name: m\n    query: q\n';
const TOKEN_A = 'token-aaaaaaaaaaaaaaaa';
const TOKEN_B = 'token-bbbbbbbbbbbbbbbb';

/** A file as the daemon reads it: parsed for real, so which keys are written and their lines are real. */
function source(file: string, blocks = ''): SettingsSource {
  const { config, diagnostics } = parseObservabilityConfig(`${PROVIDER}${blocks}`, `${ROOT}/${file}`, {
    TOKEN_A,
    TOKEN_B,
  });
  if (!config) throw new Error(JSON.stringify(diagnostics));
  return { config, file };
}

const A = 'specs/core/a/observability.yaml';
const B = 'specs/core/b/observability.yaml';

function refusal(sources: SettingsSource[], flags: DaemonFlags = {}): UserError {
  try {
    daemonSettings(sources, flags, ROOT);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected the settings to be refused');
}

describe('the process-wide daemon settings', () => {
  it('take the defaults when no file writes the keys', () => {
    expect(daemonSettings([source(A), source(B)], {}, ROOT)).toEqual({
      listener: {
        host: '127.0.0.1',
        port: 9464,
        token: null,
        allowUnauthenticated: false,
        allowedHosts: [],
        origin: { field: 'server.listen', file: A },
      },
      database: { path: '.spec/reports/production-monitoring/.state/monitor.db', field: 'storage.path' },
      retentionDays: 90,
    });
  });

  it('take a key from the file that writes it, whichever spec comes first (a file that leaves it out has no say)', () => {
    const writer = source(
      B,
      'server:\n  listen: "127.0.0.1:9500"\nstorage:\n  retention: 30d\n  path: db/b.db\n',
    );
    const settings = daemonSettings([source(A), writer], {}, ROOT);
    expect(settings.listener).toMatchObject({ host: '127.0.0.1', port: 9500, origin: { file: B } });
    expect(settings.retentionDays).toBe(30);
    expect(settings.database).toEqual({ path: 'db/b.db', field: 'storage.path' });
  });

  it('accept files that write the same values, however they are spelled', () => {
    const settings = daemonSettings(
      [
        source(
          A,
          'server:\n  listen: 9500\n  allowed_hosts: [x.internal, y.internal]\nstorage:\n  path: ./db/m.db\n',
        ),
        source(
          B,
          'server:\n  listen: "127.0.0.1:9500"\n  allowed_hosts: [y.internal, x.internal]\nstorage:\n  path: db/m.db\n',
        ),
      ],
      { allowedHosts: ['z.internal'] },
      ROOT,
    );
    expect(settings.listener).toMatchObject({
      port: 9500,
      allowedHosts: ['x.internal', 'y.internal', 'z.internal'],
    });
  });

  it('refuse files that write different values, naming both files with their lines, both values and the way out', () => {
    const error = refusal([
      source(A, 'server:\n  listen: "127.0.0.1:9464"\n'),
      source(B, 'storage:\n  retention: 30d\nserver:\n  listen: "127.0.0.1:9500"\n'),
    ]);
    expect(error.code).toBe('config');
    expect(error.field).toBe('server.listen');
    expect(error.location).toEqual({ file: B, line: 9 });
    expect(error.message).toBe(
      `\`server.listen\` is 127.0.0.1:9464 in ${A}:7 but 127.0.0.1:9500 in ${B}:9; it is one setting for the whole daemon`,
    );
    expect(error.hint).toContain('shared .spec/observability.yaml');
    expect(error.hint).toContain('--listen');
  });

  it('tell a key written with its default value from a key left out', () => {
    // A writes the default retention explicitly: B's 30 days is then a disagreement, not a choice.
    const error = refusal([
      source(A, 'storage:\n  retention: 90d\n'),
      source(B, 'storage:\n  retention: 30d\n'),
    ]);
    expect(error.message).toContain(`\`storage.retention\` is 90d in ${A}:7 but 30d in ${B}:7`);
  });

  it('never show a token that differs', () => {
    const error = refusal([
      source(A, 'server:\n  token: "{{env.TOKEN_A}}"\n'),
      source(B, 'server:\n  token: "{{env.TOKEN_B}}"\n'),
    ]);
    expect(error.message).toBe(
      `\`server.token\` differs between ${A}:7 and ${B}:7 (a secret: the values are not shown); it is one setting for the whole daemon`,
    );
    const everything = `${error.message} ${error.hint} ${error.details.join(' ')}`;
    expect(everything).not.toContain(TOKEN_A);
    expect(everything).not.toContain(TOKEN_B);
  });

  it('let a flag win over every file, disagreeing or not', () => {
    const sources = [
      source(A, 'server:\n  listen: 9464\n  allow_unauthenticated: false\nstorage:\n  path: a.db\n'),
      source(B, 'server:\n  listen: 9500\n  allow_unauthenticated: true\nstorage:\n  path: b.db\n'),
    ];
    const settings = daemonSettings(
      sources,
      { listen: { host: '127.0.0.1', port: 9600 }, statePath: 'flag.db', allowUnauthenticated: true },
      ROOT,
    );
    expect(settings.listener).toMatchObject({
      port: 9600,
      allowUnauthenticated: true,
      origin: { field: '--listen' },
    });
    expect(settings.database).toEqual({ path: 'flag.db', field: '--state' });
    // --no-server: the files' server blocks no longer matter.
    expect(daemonSettings(sources, { listen: null, statePath: 'flag.db' }, ROOT).listener).toBeNull();
  });

  it('compare the listener keys only when there is a listener', () => {
    const sources = [
      source(A, 'server:\n  enabled: false\n  token: "{{env.TOKEN_A}}"\n'),
      source(B, 'server:\n  token: "{{env.TOKEN_B}}"\n'),
    ];
    expect(daemonSettings(sources, {}, ROOT).listener).toBeNull();
    expect(
      refusal([source(A, 'server:\n  enabled: false\n'), source(B, 'server:\n  enabled: true\n')]).field,
    ).toBe('server.enabled');
  });
});
