/**
 * The network edges through the BUILT CLI (dist/): TLS in front of the real Prometheus, redirects to
 * another origin, connection failures on the console, and receivers under the network policy in the
 * daemon. The "other host" is another loopback port, or this machine's own interface address.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { type RecordingProxy, startRecordingProxy } from '../support/proxy.js';
import { findOpenssl, type HttpsProxy, makeTestPki, startHttpsProxy, type TestPki } from '../support/tls.js';
import { DATABASE, eventually, snapshot } from './daemon-support.js';
import type { Workspace } from './support.js';
import {
  AUTH_INDEX,
  AUTH_OBS_PATH,
  AUTH_SPEC,
  AUTH_SPEC_PATH,
  ERROR_RATE_AND_LATENCY_SPEC,
  makeWorkspace,
  runCli,
  startDaemon,
} from './support.js';

const skip = prometheusSkipReason();
const openssl = findOpenssl();
const history = standardHistory();
const { queries } = history;
const SPEC_ID = 'spec-core-001-authentication';
const TOKEN = 'prom-token-3c9d1e7a5b';
const PROXY_KEY = 'proxy-key-6e2f8a0c4d';
const RUN = ['--spec-id', SPEC_ID, '--run-once', '--at', String(history.END)];

function obsYaml(url: string, extra = ''): string {
  return `provider: prometheus
url: ${url}
${extra}metrics:
  - name: api_latency_p99
    query: '${queries.p99Latency5m}'
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
  - name: api_uptime
    query: '${queries.availability1h}'
`;
}

interface MetricJson {
  name: string;
  status: string;
  reason: string;
}

async function lastMetrics(ws: Workspace): Promise<MetricJson[]> {
  const summary = (await ws.summaries(SPEC_ID)).at(-1)!;
  return summary.metrics as MetricJson[];
}

/** This machine's own non-loopback IPv4 address, or null when it has none. */
function interfaceAddress(): string | null {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return null;
}

/** A server that answers every request with a redirect to the same path and query at `target`. */
async function startRedirector(target: () => string, status = 302): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(status, { location: `${target()}${req.url ?? '/'}` }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe.skipIf(skip !== null)('network edges of the built CLI', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus(history);
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  describe.skipIf(!openssl)('TLS in front of the real Prometheus', () => {
    let pki: TestPki;
    let https: HttpsProxy;
    let ws: Workspace;
    beforeAll(async () => {
      pki = await makeTestPki(openssl!);
      https = await startHttpsProxy(prometheus.url, { key: pki.serverKey, cert: pki.serverCert });
      ws = await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: AUTH_SPEC });
    });
    afterAll(async () => {
      await https?.close();
      await pki?.cleanup();
      await ws?.cleanup();
    });

    it('tls.ca_file: the CA that signed the certificate is trusted, the values are read (exit 0)', async () => {
      await ws.write(AUTH_OBS_PATH, obsYaml(https.url, `tls: { ca_file: ${JSON.stringify(pki.caFile)} }\n`));
      const before = https.forwarded;
      const result = await runCli(RUN, { cwd: ws.root });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('HEALTHY');
      // The 3 metrics' values, then each objective's whole window and 7 burn windows (3 × 8), and its
      // burn-down's bad and total range queries (3 × 2).
      expect(https.forwarded - before).toBe(3 + 3 * 8 + 3 * 2);
    });

    it('a wrong CA: every metric unknown with a certificate reason, exit 3, never an internal error', async () => {
      await ws.write(
        AUTH_OBS_PATH,
        obsYaml(https.url, `tls: { ca_file: ${JSON.stringify(pki.otherCaFile)} }\n`),
      );
      const result = await runCli(RUN, { cwd: ws.root });
      expect(result.stderr).not.toContain('internal error');
      expect(result.code).toBe(3);
      const metrics = await lastMetrics(ws);
      expect(metrics.map((m) => m.status)).toEqual(['unknown', 'unknown', 'unknown']);
      expect(metrics[0]!.reason).toContain(
        `the TLS certificate of 127.0.0.1:${new URL(https.url).port} is not trusted`,
      );
      expect(metrics[0]!.reason).toContain('ca_file');
    });

    it('tls.insecure_skip_verify accepts the certificate (exit 0)', async () => {
      await ws.write(AUTH_OBS_PATH, obsYaml(https.url, 'tls: { insecure_skip_verify: true }\n'));
      const result = await runCli(RUN, { cwd: ws.root });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });

    it('the daemon measures through TLS on every cycle', async () => {
      await ws.write(AUTH_OBS_PATH, obsYaml(https.url, `tls: { ca_file: ${JSON.stringify(pki.caFile)} }\n`));
      const daemon = startDaemon(
        [
          ...['--spec-id', SPEC_ID, '--no-server', '--interval', '60'],
          ...['--replay-from', new Date((history.END - 600) * 1000).toISOString(), '--replay-speed', '60'],
        ],
        { cwd: ws.root },
      );
      try {
        await daemon.waitForLog((l) => l.event === 'started');
        const measured = await eventually(() => {
          const rows = snapshot(path.join(ws.root, DATABASE), SPEC_ID).measurements;
          return rows.length >= 3 ? rows : undefined;
        }, 'three measurements through TLS');
        expect(measured.every((row) => row.value !== null)).toBe(true);
        daemon.kill('SIGTERM');
        expect(await daemon.exited).toBe(0);
      } finally {
        daemon.kill('SIGKILL');
      }
    });
  });

  describe('a backend that redirects to another origin', () => {
    let other: RecordingProxy;
    let redirector: { url: string; server: Server };
    let ws: Workspace;
    beforeAll(async () => {
      other = await startRecordingProxy({ target: prometheus.url });
      redirector = await startRedirector(() => other.url);
      ws = await makeWorkspace({ '.spec/SPEC_INDEX.json': AUTH_INDEX, [AUTH_SPEC_PATH]: AUTH_SPEC });
    });
    afterAll(async () => {
      await closeServer(redirector?.server);
      await other?.close();
      await ws?.cleanup();
    });

    const secrets = `auth: { bearer: "{{env.PROM_TOKEN}}" }\nheaders: { X-Api-Key: "{{env.PROXY_KEY}}" }\n`;
    const env = { PROM_TOKEN: TOKEN, PROXY_KEY };

    it('is not followed by default: unknown naming the redirect and its target; nothing reaches it', async () => {
      await ws.write(AUTH_OBS_PATH, obsYaml(redirector.url, secrets));
      other.requests.length = 0;
      const result = await runCli(RUN, { cwd: ws.root, env });
      expect(result.code).toBe(3);
      const metrics = await lastMetrics(ws);
      expect(metrics.map((m) => m.status)).toEqual(['unknown', 'unknown', 'unknown']);
      expect(metrics[0]!.reason).toContain(`answered HTTP 302, a redirect to ${other.url}/api/v1/query`);
      expect(metrics[0]!.reason).toContain('follow_redirects');
      expect(other.requests).toHaveLength(0);
      expect(result.stdout + result.stderr).not.toContain(TOKEN);
    });

    it('a Datadog provider is not redirected either, and its keys stay home', async () => {
      await ws.write(
        AUTH_OBS_PATH,
        `provider: datadog
url: ${redirector.url}
api_key: "{{env.DD_API_KEY}}"
app_key: "{{env.DD_APP_KEY}}"
metrics:
  - { name: api_latency_p99, query: "p99:trace.http.request{service:auth}" }
`,
      );
      other.requests.length = 0;
      const result = await runCli(RUN, {
        cwd: ws.root,
        env: { DD_API_KEY: 'ddapi-11aa22bb33cc', DD_APP_KEY: 'ddapp-44dd55ee66ff' },
      });
      expect(result.code).toBe(3);
      expect((await lastMetrics(ws))[0]!.reason).toContain(`a redirect to ${other.url}/api/v1/query`);
      expect(other.requests).toHaveLength(0);
    });

    it('follow_redirects: true reads the values there, without Authorization or X-Api-Key', async () => {
      await ws.write(AUTH_OBS_PATH, obsYaml(redirector.url, `${secrets}follow_redirects: true\n`));
      other.requests.length = 0;
      const result = await runCli(RUN, { cwd: ws.root, env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      // The 3 metrics' values, then each objective's whole window and 7 burn windows (3 × 8), and its
      // burn-down's bad and total range queries (3 × 2).
      expect(other.requests).toHaveLength(3 + 3 * 8 + 3 * 2);
      for (const request of other.requests) {
        expect(request.headers.authorization).toBeUndefined();
        expect(request.headers['x-api-key']).toBeUndefined();
        expect(JSON.stringify(request.headers)).not.toContain(TOKEN);
      }
    });

    const address = interfaceAddress();
    it.skipIf(address === null)(
      'follow_redirects: a hop to a host the network policy denies is not taken',
      async () => {
        const outside = createServer((_req, res) => res.writeHead(200).end('{}'));
        let hits = 0;
        outside.on('request', () => hits++);
        await new Promise<void>((resolve) => outside.listen(0, address!, resolve));
        const outsideUrl = `http://${address}:${(outside.address() as AddressInfo).port}`;
        const toOutside = await startRedirector(() => outsideUrl);
        try {
          await ws.write(AUTH_OBS_PATH, obsYaml(toOutside.url, 'follow_redirects: true\n'));
          const result = await runCli(RUN, { cwd: ws.root });
          expect(result.code).toBe(3);
          const reason = (await lastMetrics(ws))[0]!.reason;
          expect(reason).toContain(`a redirect to ${outsideUrl}/api/v1/query, which was not followed`);
          expect(reason).toContain(`network policy`);
          expect(reason).toContain(`denies host "${address}"`);
          expect(hits).toBe(0);
        } finally {
          await closeServer(toOutside.server);
          await closeServer(outside);
        }
      },
    );
  });

  describe('an unreachable backend on the console', () => {
    it('says "connection refused to host:port" once, then "backend unreachable" per metric', async () => {
      const port = await freePort();
      const ws = await makeWorkspace({
        '.spec/SPEC_INDEX.json': AUTH_INDEX,
        [AUTH_SPEC_PATH]: AUTH_SPEC,
        [AUTH_OBS_PATH]: obsYaml(`http://127.0.0.1:${port}`),
      });
      try {
        const result = await runCli(RUN, { cwd: ws.root });
        expect(result.code).toBe(3);
        const refused = `connection refused to 127.0.0.1:${port}`;
        expect(result.stdout.split(refused)).toHaveLength(2);
        expect(result.stdout).not.toContain('fetch failed');
        for (const name of ['api_latency_p99', 'api_error_rate', 'api_uptime']) {
          expect(result.stdout).toContain(`unknown ${name}: backend unreachable`);
        }
        // summary.json keeps the full reason on every metric.
        for (const metric of await lastMetrics(ws)) expect(metric.reason).toContain(refused);
      } finally {
        await ws.cleanup();
      }
    });
  });

  describe('redaction of a secret that is a prefix of another value', () => {
    /** A free loopback port from 9100-9999, so that the listen URL starts with `http://127.0.0.1:9`. */
    async function freePortStartingWith9(): Promise<number> {
      for (let port = 9100 + Math.floor(Math.random() * 800); port < 10_000; port++) {
        const server = createServer();
        const free = await new Promise<boolean>((resolve) => {
          server.once('error', () => resolve(false));
          server.listen(port, '127.0.0.1', () => resolve(true));
        });
        if (free) {
          await new Promise((resolve) => server.close(resolve));
          return port;
        }
      }
      throw new Error('no free port in 9100-9999');
    }

    it('the daemon log keeps its listen address whole when a secret is `http://127.0.0.1:9`', async () => {
      const ws = await makeWorkspace({
        [`specs/core/${SPEC_ID}/spec.md`]: ERROR_RATE_AND_LATENCY_SPEC,
        [`specs/core/${SPEC_ID}/observability.yaml`]: `provider: prometheus
url: ${prometheus.url}
headers: { X-Api-Key: "{{env.GATEWAY_KEY}}" }
metrics:
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
incident_command: false
`,
      });
      const port = await freePortStartingWith9();
      const daemon = startDaemon(['--spec-id', SPEC_ID, '--listen', `127.0.0.1:${port}`], {
        cwd: ws.root,
        env: { GATEWAY_KEY: 'http://127.0.0.1:9' },
      });
      try {
        const started = await daemon.waitForLog((l) => l.event === 'started');
        expect(started.listen).toBe(`127.0.0.1:${port}`);
        expect(started.url).toBe(`http://127.0.0.1:${port}`);
        // Only the log matters here; how the daemon stops is covered in daemon.test.ts.
        daemon.kill('SIGTERM');
        await daemon.exited;
      } finally {
        daemon.kill('SIGKILL');
        await ws.cleanup();
      }
    });
  });

  describe('receivers under the network policy, in the daemon', () => {
    function daemonYaml(hookUrl: string, extra = ''): string {
      return `provider: prometheus
url: ${prometheus.url}
metrics:
  - name: api_error_rate
    query: '${queries.errorRatio5m}'
  - name: api_latency_p99
    query: '${queries.p99Latency5m}'
alerting:
  for: 1
incident_command: false
receivers:
  - type: webhook
    name: hook
    url: ${hookUrl}
${extra}`;
    }

    const address = interfaceAddress();
    it.skipIf(address === null)(
      'a webhook outside loopback with the default deny policy: exit 2 at start, naming the receiver and the policy; nothing sent',
      async () => {
        let hits = 0;
        const hook = createServer((_req, res) => {
          hits++;
          res.writeHead(200).end('{}');
        });
        await new Promise<void>((resolve) => hook.listen(0, address!, resolve));
        const hookUrl = `http://${address}:${(hook.address() as AddressInfo).port}/hook`;
        const ws = await makeWorkspace({
          [`specs/core/${SPEC_ID}/spec.md`]: ERROR_RATE_AND_LATENCY_SPEC,
          [`specs/core/${SPEC_ID}/observability.yaml`]: daemonYaml(hookUrl),
        });
        try {
          const daemon = startDaemon(
            [
              '--spec-id',
              SPEC_ID,
              '--no-server',
              '--replay-from',
              new Date(history.INC0 * 1000).toISOString(),
            ],
            { cwd: ws.root },
          );
          expect(await daemon.exited).toBe(2);
          const stderr = daemon.stderr();
          expect(stderr).toContain('receiver "hook" (webhook)');
          expect(stderr).toContain(`network policy`);
          expect(stderr).toContain(`denies host "${address}"`);
          expect(stderr).toContain('receivers[0]');
          expect(stderr).not.toContain('    at ');
          expect(hits).toBe(0);
        } finally {
          await closeServer(hook);
          await ws.cleanup();
        }
      },
    );

    it('a webhook that redirects to another origin: the alert is not carried there, the outbox says why', async () => {
      let otherHits = 0;
      const elsewhere = createServer((_req, res) => {
        otherHits++;
        res.writeHead(200).end('{}');
      });
      await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
      const elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
      const redirector = await startRedirector(() => elsewhereUrl, 307);
      const ws = await makeWorkspace({
        [`specs/core/${SPEC_ID}/spec.md`]: ERROR_RATE_AND_LATENCY_SPEC,
        [`specs/core/${SPEC_ID}/observability.yaml`]: daemonYaml(`${redirector.url}/hook`),
      });
      const daemon = startDaemon(
        [
          ...['--spec-id', SPEC_ID, '--no-server', '--interval', '60'],
          ...['--replay-from', new Date((history.INC0 + 600) * 1000).toISOString(), '--replay-speed', '60'],
        ],
        { cwd: ws.root },
      );
      try {
        await daemon.waitForLog((l) => l.event === 'alert_trigger');
        const dead = await eventually(() => {
          const entry = snapshot(path.join(ws.root, DATABASE), SPEC_ID).outbox.find(
            (e) => e.receiver.endsWith('/hook') && e.status === 'dead',
          );
          return entry;
        }, 'the webhook delivery to be given up');
        expect(dead.event).toBe('trigger');
        const store = openStore(path.join(ws.root, DATABASE), { readonly: true });
        try {
          const entry = store.outbox({ status: 'dead' }).find((e) => e.receiver.endsWith('/hook'))!;
          expect(entry.lastError).toContain(`HTTP 307: redirected to ${elsewhereUrl}/hook`);
          expect(entry.lastError!.length).toBeLessThan(400);
        } finally {
          store.close();
        }
        expect(otherHits).toBe(0);
        daemon.kill('SIGTERM');
        expect(await daemon.exited).toBe(0);
      } finally {
        daemon.kill('SIGKILL');
        await closeServer(redirector.server);
        await closeServer(elsewhere);
        await ws.cleanup();
      }
    });
  });
});
