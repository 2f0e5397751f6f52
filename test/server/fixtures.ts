import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Gauge, Registry } from 'prom-client';
import type { AlertState } from '../../src/alerting/types.js';
import type { Evaluation, NfrStatus, OverallStatus, Verdict } from '../../src/evaluate/types.js';
import { buildSummary, runIdFor } from '../../src/report/index.js';
import type { CycleInfo, MonitorStatusSource, SpecStatus } from '../../src/server/index.js';
import type { ObjectiveReport } from '../../src/slo/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { HistorySample, MeasurementRow, SeriesRange } from '../../src/store/types.js';
import type { Comparator, Unit } from '../../src/units/types.js';

export interface MetricFixture {
  metric: string;
  unit: Unit;
  comparator: Comparator;
  slo: number;
  value: number | null;
  status: NfrStatus;
  reason?: string;
  /** The objective measured from the backend, as the daemon attaches it. */
  objective?: ObjectiveReport;
}

export function verdict(fixture: MetricFixture, checkedAt: Date, line: number): Verdict {
  const target = `${fixture.comparator} ${fixture.slo}${fixture.unit === '%' ? '%' : ` ${fixture.unit}`}`;
  return {
    metric: fixture.metric,
    nfrId: `NFR-${line}`,
    requirement: `The ${fixture.metric} must stay ${target}.`,
    category: 'performance',
    target,
    comparator: fixture.comparator,
    comparatorInferred: false,
    slo: fixture.slo,
    unit: fixture.unit,
    value: fixture.value,
    status: fixture.status,
    provider: 'prometheus',
    providerType: 'prometheus',
    query: `histogram_quantile(0.95, sum by (le) (rate(${fixture.metric}_bucket[5m])))`,
    reason:
      fixture.reason ??
      `${fixture.metric} = ${fixture.value ?? 'unknown'} ${fixture.unit}, target ${target}: ${fixture.status}`,
    line,
    checkedAt,
  };
}

function overallOf(metrics: MetricFixture[]): OverallStatus {
  if (metrics.some((m) => m.status === 'breached')) return 'unhealthy';
  if (metrics.some((m) => m.status === 'unknown')) return 'degraded';
  return 'healthy';
}

/** A real summary.json object (built by the report module) for one spec. */
export function specStatus(
  specId: string,
  metrics: MetricFixture[],
  at: Date,
  extra: Partial<Omit<SpecStatus, 'summary'>> = {},
): SpecStatus {
  const evaluation: Evaluation = {
    specId,
    checkedAt: at,
    status: overallOf(metrics),
    verdicts: metrics.map((m, index) => verdict(m, at, 10 + index)),
    unmonitored: [],
  };
  const summary = buildSummary(evaluation, {
    version: '0.1.0',
    runId: runIdFor(at),
    generatedAt: at,
    mode: 'daemon',
    specFile: `specs/${specId}/spec.md`,
    observabilityConfig: 'observability.yaml',
    apply: false,
    lang: 'en',
    platform: 'linux',
    warnings: [],
    writes: [],
  });
  const objectives = new Map(metrics.flatMap((m) => (m.objective ? [[m.metric, m.objective] as const] : [])));
  return {
    summary: {
      ...summary,
      metrics: summary.metrics.map((m) => {
        const objective = objectives.get(m.name);
        return objective ? { ...m, objective } : m;
      }),
    },
    alerts: extra.alerts ?? [],
    budgets: extra.budgets ?? [],
    reports: extra.reports ?? { daily: [], weekly: [] },
  };
}

export function alertState(
  specId: string,
  metric: string,
  phase: AlertState['phase'],
  since: Date | null,
  more: Partial<AlertState> = {},
): AlertState {
  return {
    specId,
    metric,
    kind: 'slo',
    phase,
    since,
    badCycles: phase === 'inactive' ? 0 : 3,
    goodCycles: 0,
    goodSince: null,
    episodeId: phase === 'firing' ? `${specId}/${metric}/1` : null,
    firedAt: phase === 'firing' ? since : null,
    lastNotifiedAt: null,
    severity: phase === 'firing' ? 'SEV-2' : null,
    worstValue: null,
    ...more,
  };
}

/** Measurements every `stepMs` over [from, to), value and status from the callback. */
export function series(
  specId: string,
  metric: string,
  slo: number,
  from: Date,
  to: Date,
  stepMs: number,
  at: (time: number, index: number) => { value: number | null; status: NfrStatus },
): MeasurementRow[] {
  const rows: MeasurementRow[] = [];
  let index = 0;
  for (let time = from.getTime(); time < to.getTime(); time += stepMs, index++) {
    const { value, status } = at(time, index);
    rows.push({ at: new Date(time), specId, metric, value, slo, status, reason: '' });
  }
  return rows;
}

/**
 * A MonitorStatusSource whose data the test changes at will. Its history lives in a real SQLite store
 * (a temp file), read through the same `Store.downsampledHistory` as the daemon's. Every change
 * through a setter moves `revision()` on, as a finished cycle does in the daemon; `close()` removes
 * the file.
 */
export class FakeSource implements MonitorStatusSource {
  readonly version = '0.1.0-test';
  readonly registry = new Registry();
  readonly sloGauge = new Gauge({
    name: 'smartspec_test_slo_value',
    help: 'Latest measured value per SLO (test gauge).',
    labelNames: ['spec', 'metric'],
    registers: [this.registry],
  });
  /** Every path the server asked reportFile about. */
  readonly reportRequests: string[] = [];
  /** How many chunked history reads were started, and how many ran to their end. */
  historyReads = { started: 0, finished: 0 };
  /** How many times the server asked for specs(). */
  specsCalls = 0;

  private changes = 0;
  private currentCycle: CycleInfo | null = null;
  private currentSpecs: SpecStatus[] = [];
  private currentRows: readonly MeasurementRow[] = Object.freeze([]);
  private currentlyFailing = false;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'fake-source-'));
  private readonly store: Store = openStore(path.join(this.dir, 'state.db'));

  constructor(
    readonly startedAt: Date,
    readonly intervalSeconds: number,
    /** Deliberately naive (resolves any path under the workspace): the server must refuse traversal itself. */
    private readonly workspaceRoot: string | null = null,
  ) {}

  get cycle(): CycleInfo | null {
    return this.currentCycle;
  }
  set cycle(cycle: CycleInfo | null) {
    this.currentCycle = cycle;
    this.changes++;
  }

  get specList(): SpecStatus[] {
    return this.currentSpecs;
  }
  set specList(specs: SpecStatus[]) {
    this.currentSpecs = specs;
    this.changes++;
  }

  /** Frozen: change the history by assigning, so that the store follows. */
  get rows(): readonly MeasurementRow[] {
    return this.currentRows;
  }
  set rows(rows: readonly MeasurementRow[]) {
    this.store.prune(new Date(8.64e15));
    this.store.commitCycle({
      at: this.startedAt,
      measurements: [...rows],
      alertStates: [],
      notifications: [],
    });
    this.currentRows = Object.freeze([...rows]);
    this.changes++;
  }

  /** When true, specs() throws (the server then answers 500). */
  get failing(): boolean {
    return this.currentlyFailing;
  }
  set failing(failing: boolean) {
    this.currentlyFailing = failing;
    this.changes++;
  }

  revision(): number {
    return this.changes;
  }

  lastCycle(): CycleInfo | null {
    return this.currentCycle;
  }

  specs(): SpecStatus[] {
    this.specsCalls++;
    if (this.currentlyFailing) throw new Error('source failure with /secret/path in it');
    return this.currentSpecs;
  }

  *history(range: SeriesRange, maxPoints: number): Generator<HistorySample[], void, undefined> {
    this.historyReads.started++;
    yield* this.store.downsampledHistory(range, maxPoints);
    this.historyReads.finished++;
  }

  reportFile(relativePath: string): string | null {
    this.reportRequests.push(relativePath);
    if (this.workspaceRoot === null) return null;
    const file = path.resolve(this.workspaceRoot, relativePath);
    return existsSync(file) ? file : null;
  }

  close(): void {
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
