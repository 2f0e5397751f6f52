import type { Registry } from 'prom-client';
import type { AlertState } from '../alerting/types.js';
import type { Summary } from '../report/index.js';
import type { HistorySample, SeriesRange } from '../store/types.js';

/** Error budget of one NFR over its objective's window, from the backend (docs/slo.md). */
export interface BudgetStatus {
  metric: string;
  windowDays: number;
  /** Share of the window's budget still unspent, 0-1 (negative when overspent); null when unknown. */
  remaining: number | null;
  /** Why `remaining` is null (the objective's reason); null when it is known. */
  reason: string | null;
}

/** What the status page and /api/status show for one monitored spec. */
export interface SpecStatus {
  /** The latest cycle's verdict in the run-once summary.json shape (`mode: 'daemon'`). */
  summary: Summary;
  /** Alert states that are pending or firing (open incidents are `phase: 'firing'`). */
  alerts: AlertState[];
  budgets: BudgetStatus[];
  /** Latest report files, relative to the workspace root, newest first. */
  reports: { daily: string[]; weekly: string[] };
}

export interface CycleInfo {
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  slow: boolean;
  /** Cycles in a row, up to this one, that could not be recorded (0 or absent: this one was). */
  consecutiveFailures?: number;
  /** Why this cycle failed (redacted), or null. */
  error?: string | null;
}

/** Implemented by the daemon; the server only reads through it. */
export interface MonitorStatusSource {
  readonly version: string;
  readonly startedAt: Date;
  readonly intervalSeconds: number;
  lastCycle(): CycleInfo | null;
  specs(): SpecStatus[];
  /**
   * Changes whenever what the server shows may have changed (a cycle finished, the config was
   * reloaded, a report was written). The server reuses its answers while it stays the same.
   */
  revision(): number;
  /**
   * One metric's measurements in [from, to) reduced to at most `maxPoints` samples, oldest first
   * (values in the NFR's unit), in chunks the server can pause between (`Store.downsampledHistory`).
   */
  history(range: SeriesRange, maxPoints: number): Iterable<HistorySample[]>;
  /** Prometheus registry with the daemon's own metrics and per-SLO gauges. */
  readonly registry: Registry;
  /** Absolute path of a report file given its workspace-relative path, or null when it is not a report. */
  reportFile(relativePath: string): string | null;
}

export interface ServerOptions {
  host: string;
  port: number;
  /** When set, every route but /healthz requires `Authorization: Bearer <token>`. */
  token: string | null;
  /** Listening beyond loopback without a token is refused unless this is true. */
  allowUnauthenticated?: boolean;
  /** Host names answered besides localhost, loopback and the listen address (others get 421). */
  allowedHosts?: readonly string[];
  source: MonitorStatusSource;
  /** Where host and port were set (`--listen`, or `server.listen` of a file), named when they cannot be used. */
  listenOrigin?: { field: string; file?: string };
  /**
   * How long a history read may hold the event loop before it lets other requests in
   * (default HISTORY_SLICE_MS, 10 ms; 0 = after every range read of the store).
   */
  historySliceMs?: number;
}
