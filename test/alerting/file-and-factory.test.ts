import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileReceiver } from '../../src/alerting/receivers/file.js';
import { createReceivers } from '../../src/alerting/receivers/index.js';
import { UserError } from '../../src/common/errors.js';
import { type FakeWebhook, startFakeWebhook } from '../fakes/webhook.js';
import { openWriteScope } from '../support/temp.js';
import { samplePayload } from './fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'alert-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = new Date('2026-11-27T04:05:06.789Z');

describe('file receiver', () => {
  it('writes the payload as JSON under a sortable UTC name, creating the folder', async () => {
    const alerts = join(dir, 'a', 'alerts');
    const result = await createFileReceiver(alerts, { scope: openWriteScope(dir), now: () => at }).deliver(
      samplePayload('trigger'),
    );
    expect(result).toEqual({ ok: true, detail: '20261127T040506.789Z-api_latency_p99-trigger.json' });
    const written = JSON.parse(
      await readFile(join(alerts, '20261127T040506.789Z-api_latency_p99-trigger.json'), 'utf8'),
    );
    expect(written).toEqual(samplePayload('trigger'));
    expect(await readdir(alerts)).toEqual(['20261127T040506.789Z-api_latency_p99-trigger.json']); // no temp file left
  });

  it('never overwrites: the same instant gets a numbered name', async () => {
    const alerts = join(dir, 'b');
    const receiver = createFileReceiver(alerts, { scope: openWriteScope(dir), now: () => at });
    const first = samplePayload('reminder');
    const second = samplePayload('reminder', { verdict: { value: 500 } });
    await receiver.deliver(first);
    expect(await receiver.deliver(second)).toEqual({
      ok: true,
      detail: '20261127T040506.789Z-api_latency_p99-reminder-2.json',
    });
    expect((await readdir(alerts)).sort()).toEqual([
      '20261127T040506.789Z-api_latency_p99-reminder-2.json',
      '20261127T040506.789Z-api_latency_p99-reminder.json',
    ]);
    const kept = JSON.parse(
      await readFile(join(alerts, '20261127T040506.789Z-api_latency_p99-reminder.json'), 'utf8'),
    );
    expect(kept.value).toBe(350);
  });

  it('marks no-data alerts in the name and makes unsafe metric names safe', async () => {
    const alerts = join(dir, 'c');
    const result = await createFileReceiver(alerts, { scope: openWriteScope(dir), now: () => at }).deliver(
      samplePayload('resolve', { kind: 'no_data', verdict: { metric: '../etc/passwd x' } }),
    );
    expect(result).toEqual({ ok: true, detail: '20261127T040506.789Z-.._etc_passwd_x-no_data-resolve.json' });
    expect(await readdir(alerts)).toHaveLength(1);
  });

  it('refuses, permanently, an alerts folder that has become a symlink leaving the workspace', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'alert-outside-'));
    try {
      await mkdir(join(dir, 'spec-x'), { recursive: true });
      const receiver = createFileReceiver(join(dir, 'spec-x', 'alerts'), { scope: openWriteScope(dir) });
      expect(await receiver.deliver(samplePayload())).toMatchObject({ ok: true });
      // Swapped for a symlink while the daemon runs: checked at the write, not only at start.
      await rm(join(dir, 'spec-x', 'alerts'), { recursive: true });
      await symlink(outside, join(dir, 'spec-x', 'alerts'));
      expect(await receiver.deliver(samplePayload())).toEqual({
        ok: false,
        permanent: true,
        error:
          'refusing to write "spec-x/alerts": it passes through the symbolic link spec-x/alerts (safety.disallow_symlink_writes is true)',
      });
      expect(await readdir(outside)).toEqual([]);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  it('fails permanently when the folder cannot be created', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'a file, not a folder');
    const result = await createFileReceiver(join(blocker, 'alerts'), { scope: openWriteScope(dir) }).deliver(
      samplePayload(),
    );
    expect(result).toEqual({
      ok: false,
      permanent: true,
      error: 'refusing to write "blocker/alerts": it passes through blocker, which is not a folder',
    });
  });
});

describe('createReceivers', () => {
  let hook: FakeWebhook;
  beforeAll(async () => {
    hook = await startFakeWebhook();
  });
  afterAll(() => hook.close());

  it('puts the file receiver first, then the incident command, then the configured ones', async () => {
    const receivers = createReceivers(
      [
        { type: 'webhook', name: 'hook', url: hook.url, headers: {}, hmacSecret: 's3cret' },
        { type: 'alertmanager', name: 'am', url: 'http://127.0.0.1:1', headers: {} },
        { type: 'slack', name: 'chat', url: 'http://127.0.0.1:1/services/x' },
        {
          type: 'pagerduty',
          name: 'pager',
          url: 'http://127.0.0.1:1/v2/enqueue',
          routingKey: 'k'.repeat(32),
        },
      ],
      {
        alertsDir: join(dir, 'factory'),
        writeScope: openWriteScope(dir),
        incidentCommand: { argv: [process.execPath, '-e', ''], timeoutMs: 5_000 },
        redact: (text) => text,
        now: () => at,
      },
    );
    expect(receivers.map((r) => [r.name, r.type])).toEqual([
      ['file', 'file'],
      ['incident_command', 'command'],
      ['hook', 'webhook'],
      ['am', 'alertmanager'],
      ['chat', 'slack'],
      ['pager', 'pagerduty'],
    ]);
    expect(await receivers[2]?.deliver(samplePayload())).toMatchObject({ ok: true });
    expect(hook.requests[0]?.headers['x-signature-timestamp']).toBe('1795752306');
  });

  it('leaves out the incident command when there is none or it is turned off (empty argv)', () => {
    const none = createReceivers([], {
      alertsDir: dir,
      writeScope: openWriteScope(dir),
      incidentCommand: null,
      redact: (t) => t,
    });
    expect(none.map((r) => r.name)).toEqual(['file']);
    const off = createReceivers([], {
      alertsDir: dir,
      writeScope: openWriteScope(dir),
      incidentCommand: { argv: [], timeoutMs: 1 },
      redact: (t) => t,
    });
    expect(off.map((r) => r.name)).toEqual(['file']);
  });

  it('rejects a configured receiver that reuses a name', () => {
    const build = () =>
      createReceivers([{ type: 'slack', name: 'file', url: 'http://127.0.0.1:1/x' }], {
        alertsDir: dir,
        writeScope: openWriteScope(dir),
        incidentCommand: null,
        redact: (t) => t,
      });
    expect(build).toThrow(UserError);
    expect(build).toThrow('two receivers are named "file"');
  });
});
