/**
 * Helpers for the daemon resilience tests: receivers and a backend proxy whose behaviour a test
 * switches at run time (fail, hold the answer, go away), a real Alertmanager, and read-only looks
 * into the daemon's SQLite database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { CycleRecord, MeasurementRow } from '../../src/store/index.js';
import { openStore } from '../../src/store/index.js';
import { freePort } from '../support/prometheus.js';

/** Polls until `probe` returns a value other than undefined; the deadline only guards against a hang. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve()
      .then(probe)
      .catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

// ---- a webhook receiver whose behaviour the test switches ------------------------------------

/** `ok`: 200 at once; `fail`: that status at once; `hold`: 200 after `ms` (a slow receiver). */
export type ReceiverMode = { kind: 'ok' } | { kind: 'fail'; status: number } | { kind: 'hold'; ms: number };

export interface ReceivedNotification {
  event: string;
  kind: string;
  dedupKey: string;
  severity: string;
  /** The `Idempotency-Key` header. */
  idempotencyKey: string;
  body: Record<string, unknown>;
  /** Status this server answered; null while held, or when the client went away first. */
  answered: number | null;
  /** The client closed the connection before it got an answer (e.g. it was killed). */
  abandoned: boolean;
}

export interface ScriptedReceiver {
  url: string;
  mode: ReceiverMode;
  readonly received: ReceivedNotification[];
  /** Notifications this server answered with 2xx. */
  accepted(
    filter?: Partial<Pick<ReceivedNotification, 'event' | 'kind' | 'dedupKey'>>,
  ): ReceivedNotification[];
  /** Resolves with the first notification (seen or to come) that matches. */
  waitFor(predicate: (n: ReceivedNotification) => boolean, timeoutMs?: number): Promise<ReceivedNotification>;
  close(): Promise<void>;
}

export async function startScriptedReceiver(mode: ReceiverMode = { kind: 'ok' }): Promise<ScriptedReceiver> {
  const received: ReceivedNotification[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      const entry: ReceivedNotification = {
        event: String(body.event),
        kind: String(body.kind),
        dedupKey: String(body.dedup_key),
        severity: String(body.severity),
        idempotencyKey: String(request.headers['idempotency-key'] ?? ''),
        body,
        answered: null,
        abandoned: false,
      };
      received.push(entry);
      const answer = (status: number) => {
        if (response.destroyed || response.writableEnded) return;
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(status < 300 ? '{}' : '{"error":"unavailable"}');
        entry.answered = status;
      };
      response.on('close', () => {
        if (entry.answered === null) entry.abandoned = true;
      });
      const current = receiver.mode;
      if (current.kind === 'ok') answer(200);
      else if (current.kind === 'fail') answer(current.status);
      else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer(200);
        }, current.ms);
        timers.add(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: ScriptedReceiver = {
    url: `http://127.0.0.1:${port}/hook`,
    mode,
    received,
    accepted: (filter = {}) =>
      received.filter(
        (n) =>
          n.answered !== null &&
          n.answered < 300 &&
          (filter.event === undefined || n.event === filter.event) &&
          (filter.kind === undefined || n.kind === filter.kind) &&
          (filter.dedupKey === undefined || n.dedupKey === filter.dedupKey),
      ),
    waitFor: (predicate, timeoutMs = 20_000) =>
      eventually(() => received.find(predicate), 'a matching notification', timeoutMs, 20),
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

// ---- a backend proxy that can be slow or gone -------------------------------------------------

export interface BackendRequest {
  path: string;
  /** Query-string or form parameters (`query`, `time`). */
  params: Record<string, string>;
}

export interface SwitchableProxy {
  /** Stable across `down()`/`up()`: the same port is listened on again. */
  url: string;
  /** Added before every answer is forwarded. */
  delayMs: number;
  readonly requests: BackendRequest[];
  /** Called as each request arrives (before the delay). */
  onRequest: ((request: BackendRequest) => void) | null;
  /**
   * When set, every query is answered as of this instant (Unix seconds), whatever instant the daemon
   * asked for: the test, not the replay clock, decides what the backend reports and when it changes.
   */
  timeOverride: number | null;
  /** Stops listening and cuts every connection: clients get "connection refused", as from a stopped server. */
  down(): Promise<void>;
  /** Listens on the same port again. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startSwitchableProxy(target: string): Promise<SwitchableProxy> {
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://proxy');
      const contentType = request.headers['content-type'] ?? '';
      const params = Object.fromEntries(
        request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')
          ? new URLSearchParams(body)
          : url.searchParams,
      );
      const recorded = { path: url.pathname, params };
      proxy.requests.push(recorded);
      proxy.onRequest?.(recorded);
      if (proxy.delayMs > 0) await sleep(proxy.delayMs);
      const isForm = request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded');
      const form = new URLSearchParams(isForm ? body : '');
      if (proxy.timeOverride !== null) {
        if (isForm && form.has('time')) form.set('time', String(proxy.timeOverride));
        if (url.searchParams.has('time')) url.searchParams.set('time', String(proxy.timeOverride));
      }
      try {
        const upstream = await fetch(`${target}${url.pathname}${url.search}`, {
          method: request.method ?? 'GET',
          headers: contentType ? { 'content-type': contentType } : {},
          ...(request.method === 'POST' ? { body: isForm ? form.toString() : body } : {}),
        });
        const text = await upstream.text();
        if (response.destroyed) return;
        response.writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/json',
        });
        response.end(text);
      } catch {
        if (response.destroyed) return;
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('upstream unreachable');
      }
    })();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const proxy: SwitchableProxy = {
    url: `http://127.0.0.1:${port}`,
    delayMs: 0,
    requests: [],
    onRequest: null,
    timeOverride: null,
    down: stop,
    up: () => listen(port),
    close: stop,
  };
  return proxy;
}

// ---- a real Alertmanager ----------------------------------------------------------------------

export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

export function alertmanagerSkipReason(): string | null {
  return existsSync(ALERTMANAGER_BIN)
    ? null
    : `skipped: ${ALERTMANAGER_BIN} not found (install the Debian "prometheus-alertmanager" package)`;
}

export interface AlertmanagerAlertJson {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

export interface RunningAlertmanager {
  url: string;
  /** `GET /api/v2/alerts` (active, silenced and inhibited; resolved alerts are left out). */
  alerts(filter?: Record<string, string>): Promise<AlertmanagerAlertJson[]>;
  stop(): Promise<void>;
}

/** Alertmanager with one receiver that sends nothing anywhere: the tests read its API only. */
export async function startAlertmanager(): Promise<RunningAlertmanager> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ssm-alertmanager-'));
  const config = path.join(dir, 'alertmanager.yml');
  await writeFile(config, 'route:\n  receiver: nowhere\nreceivers:\n  - name: nowhere\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${config}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await eventually(
      async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined),
      'Alertmanager to be ready',
      30_000,
    );
  } catch (error) {
    await stop();
    throw new Error(`${String(error)}\n${log.slice(-2000)}`);
  }
  return {
    url,
    async alerts(filter = {}) {
      const query = Object.entries(filter)
        .map(([name, value]) => `filter=${encodeURIComponent(`${name}="${value}"`)}`)
        .join('&');
      const response = await fetch(`${url}/api/v2/alerts${query ? `?${query}` : ''}`);
      return (await response.json()) as AlertmanagerAlertJson[];
    },
    stop,
  };
}

// ---- looking into the daemon's database -------------------------------------------------------

/** The default `storage.path`, relative to the workspace root. */
export const DATABASE = '.spec/reports/production-monitoring/.state/monitor.db';

export interface DatabaseSnapshot {
  lastCycle: CycleRecord | null;
  measurements: MeasurementRow[];
  pending: number;
  dead: number;
  /** Outbox entries: receiver, event, status. */
  outbox: Array<{ receiver: string; event: string; dedupKey: string; status: string }>;
}

/** Reads the database through the store's own read-only mode (safe while a daemon writes). */
export function snapshot(file: string, specId: string): DatabaseSnapshot {
  const store = openStore(file, { readonly: true });
  try {
    return {
      lastCycle: store.recentCycles(1)[0] ?? null,
      measurements: store.measurements({ specId, from: new Date(0), to: new Date(8.64e15) }),
      pending: store.depth(),
      dead: store.outbox({ status: 'dead' }).length,
      outbox: store.outbox().map((e) => ({
        receiver: e.receiver,
        event: e.event,
        dedupKey: e.dedupKey,
        status: e.status,
      })),
    };
  } finally {
    store.close();
  }
}

/** `PRAGMA integrity_check` on a read-only connection: 'ok' or SQLite's list of problems. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('\n');
  } finally {
    db.close();
  }
}

/** Every file under `dir` (recursively) whose bytes contain `needle`, relative to `dir`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file).catch(() => null);
    if (bytes?.includes(needle)) found.push(path.relative(dir, file));
  }
  return found;
}

/** The value of an unlabelled sample in Prometheus text format, or null when absent. */
export function sampleValue(text: string, name: string): number | null {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}
