import type { Registry } from 'prom-client';
import type { AlertState } from '../alerting/types.js';
import type { Summary } from '../report/index.js';
import type { MeasurementRow } from '../store/types.js';

/** Error budget of one ratio-style NFR over a rolling window (e.g. 30 days). */
export interface BudgetStatus {
  metric: string;
  windowDays: number;
  /** Share of the window's budget still unspent, 0-1 (negative when overspent); null without data. */
  remaining: number | null;
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
  /** Measurements of one metric in [from, to), oldest first (values in the NFR's unit). */
  history(query: { specId: string; metric: string; from: Date; to: Date }): MeasurementRow[];
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
  source: MonitorStatusSource;
}
