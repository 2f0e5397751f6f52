import path from 'node:path';
import type { AlertState } from '../alerting/index.js';
import { advanceAlerts, alertKey } from '../alerting/index.js';
import type { Clock } from '../common/clock.js';
import { UserError } from '../common/errors.js';
import type { Redactor } from '../config/index.js';
import type { Evaluation } from '../evaluate/index.js';
import { runCheck } from '../pipeline/index.js';
import type { Summary } from '../report/index.js';
import { buildSummary, runIdFor } from '../report/index.js';
import type { ObjectiveReport } from '../slo/index.js';
import { explainStoreError } from '../store/index.js';
import type { MeasurementRow } from '../store/types.js';
import type { SpecAlertContext } from './alert-context.js';
import type { BlindMonitoring, BlindSpec } from './blind.js';
import type { Logger } from './logger.js';
import type { DaemonMetrics } from './metrics.js';
import { skippedSlots } from './schedule.js';
import type { DaemonShared } from './shared.js';
import type { StatusView } from './status-view.js';
import { latestSpec } from './status-view.js';
import type { SpecRuntime } from './targets.js';

/** Measures one spec at a time; the backend queries by default (tests give their own). */
export type Measure = (runtime: SpecRuntime, at: Date) => Promise<Evaluation>;

export interface CycleParts {
  clock: Clock;
  log: Logger;
  metrics: DaemonMetrics;
  blind: BlindMonitoring;
  view: StatusView;
  intervalSeconds: number;
  version: string;
  /** False once the database file was deleted or replaced (the daemon then stops). */
  databaseIsThere: () => boolean;
  /** True once the daemon stops on its own: the cycle is no longer recorded. */
  isFatal: () => boolean;
  redactor: () => Redactor;
  alertContext: (runtime: SpecRuntime) => SpecAlertContext;
  /** Upkeep that belongs to the cycle (retention): a failure there fails the cycle. */
  afterCommit: (at: Date) => void;
  /** Started once the cycle is recorded, not awaited (delivery, reports, budgets, summaries). */
  followUp: (at: Date) => void;
  measure?: Measure;
  /**
   * The objectives measured from the backend for this cycle (burn rates feed the alerts): started
   * beside the verdicts, then read per spec. Without it the threshold alone drives the alerts.
   */
  objectives?: {
    measure: (at: Date) => Promise<void>;
    at: (specId: string, at: Date) => ReadonlyMap<string, ObjectiveReport> | undefined;
  };
}

const measureFromBackends: Measure = (runtime, at) => runCheck(runtime.prepared, at);

/**
 * One measuring cycle: measure every spec, advance the alert state machines, commit measurements +
 * alert states + notifications in one transaction, then show what was recorded. A cycle that cannot be
 * recorded raises no alert: its specs read unknown and the blind notices take over.
 */
export class Cycle {
  private readonly measure: Measure;

  constructor(
    private readonly shared: DaemonShared,
    private readonly parts: CycleParts,
  ) {
    this.measure = parts.measure ?? measureFromBackends;
  }

  async run(at: Date): Promise<void> {
    const { metrics, log, blind, view, clock } = this.parts;
    const stopTimer = metrics.cycleDuration.startTimer();
    // On the daemon's clock like startedAt and finishedAt, so a replay shows one consistent time line.
    const started = clock.now();
    let error: string | null = null;
    const runtimes = this.shared.runtimes;
    let evaluations: Evaluation[] | null = null;
    try {
      if (!this.parts.databaseIsThere()) return;
      const objectives = this.parts.objectives;
      [evaluations] = await Promise.all([
        Promise.all(runtimes.map((r) => this.measure(r, at))),
        objectives?.measure(at),
      ]);
      const measurements: MeasurementRow[] = [];
      const changed: AlertState[] = [];
      const notifications = [];
      const eventsToLog: { specId: string; text: string; event: string; severity: string }[] = [];
      for (const [i, evaluation] of evaluations.entries()) {
        const runtime = runtimes[i]!;
        for (const v of evaluation.verdicts) {
          measurements.push({
            at,
            specId: evaluation.specId,
            metric: v.metric,
            value: v.value,
            slo: v.slo,
            status: v.status,
            reason: v.reason,
          });
        }
        // Not measured this cycle (backend down, refresh failed): unknown burn rates, never "not burning".
        const measured = objectives ? (objectives.at(evaluation.specId, at) ?? new Map()) : undefined;
        const outcome = advanceAlerts(
          evaluation,
          this.shared.alertStates,
          this.parts.alertContext(runtime),
          measured,
        );
        changed.push(...outcome.changed);
        notifications.push(...outcome.notifications);
        for (const e of outcome.events) {
          eventsToLog.push({
            specId: evaluation.specId,
            text: `${e.payload.metric} ${e.payload.kind} ${e.event}`,
            event: e.event,
            severity: e.payload.severity,
          });
        }
      }
      if (!this.parts.databaseIsThere()) return;
      const store = this.shared.store;
      const { enqueued } = store.commitCycle({ at, measurements, alertStates: changed, notifications });
      // What the status page and /metrics show is what was recorded: a cycle that could not be
      // recorded raised no alert, so its verdicts must not read as the monitor's word.
      for (const [i, evaluation] of evaluations.entries()) {
        this.logStatusChanges(evaluation);
        metrics.recordVerdicts(evaluation.specId, evaluation.verdicts);
        const runtime = runtimes[i]!;
        const generatedAt = clock.now();
        view.latest.set(
          evaluation.specId,
          latestSpec(evaluation, () => this.summaryOf(runtime, evaluation, generatedAt)),
        );
      }
      for (const state of changed) {
        this.shared.alertStates.set(alertKey(state.specId, state.metric, state.kind), state);
        metrics.alertFiring.set(
          { spec_id: state.specId, metric: state.metric, kind: state.kind },
          state.phase === 'firing' ? 1 : 0,
        );
      }
      for (const e of eventsToLog) {
        log.warn({ event: `alert_${e.event}`, spec_id: e.specId, severity: e.severity }, e.text);
      }
      if (enqueued > 0) metrics.outboxDepth.set(store.depth());
      store.heartbeat(clock.now());
      this.parts.afterCommit(at);
      metrics.lastSuccess.set(clock.now().getTime() / 1000);
      await blind.recovered(at);
      this.parts.followUp(at);
    } catch (thrown) {
      const file = this.shared.store.file;
      const caught = explainStoreError(thrown, file);
      // It is shown by /readyz and sent in the blind notices: the database path relative to the
      // workspace, as the `started` line names it, rather than this machine's absolute path.
      error = this.parts
        .redactor()
        .redact(
          caught instanceof UserError && caught.hint
            ? `${caught.message} (${caught.hint})`
            : caught instanceof Error
              ? caught.message
              : String(caught),
        )
        .replaceAll(file, path.relative(this.shared.root, file));
      log.error({ event: 'cycle_failed', consecutive: blind.consecutiveFailures + 1 }, error);
      metrics.cyclesFailed.inc();
      const specs = this.blindSpecs(runtimes, evaluations);
      // Whatever was measured, nothing was recorded and no alert can follow: unknown, never healthy.
      for (const spec of specs) metrics.recordUnknown(spec.specId, spec.verdicts);
      await blind.failed(at, specs, error);
    } finally {
      const finishedAt = clock.now();
      const durationMs = finishedAt.getTime() - started.getTime();
      stopTimer();
      metrics.cycles.inc();
      metrics.lastCycle.set(finishedAt.getTime() / 1000);
      const slow = skippedSlots(at, finishedAt, this.parts.intervalSeconds) > 0;
      view.recordCycle({
        startedAt: at,
        finishedAt,
        durationMs,
        slow,
        consecutiveFailures: blind.consecutiveFailures,
        error,
      });
      if (!this.parts.isFatal()) {
        try {
          this.shared.store.recordCycle({ startedAt: at, durationMs, slow, error });
        } catch {
          // the store is closing or failing; the cycle's data is already committed or rolled back
        }
      }
    }
  }

  /** The specs as the blind-monitoring notices need them: this cycle's verdicts, else the last known. */
  private blindSpecs(runtimes: readonly SpecRuntime[], evaluations: Evaluation[] | null): BlindSpec[] {
    return runtimes.map((runtime, i) => {
      const specId = runtime.prepared.spec.specId;
      const context = this.parts.alertContext(runtime);
      return {
        specId,
        verdicts: evaluations?.[i]?.verdicts ?? this.parts.view.latest.get(specId)?.evaluation.verdicts ?? [],
        receivers: runtime.receivers,
        policy: context.policy,
        alreadyBlind: (metric) =>
          this.shared.alertStates.get(alertKey(specId, metric, 'no_data'))?.phase === 'firing',
        payloadContext: context,
      };
    });
  }

  private summaryOf(runtime: SpecRuntime, evaluation: Evaluation, generatedAt: Date): Summary {
    const { prepared } = runtime;
    return prepared.redactor.redactDeep(
      buildSummary(evaluation, {
        version: this.parts.version,
        runId: runIdFor(evaluation.checkedAt),
        generatedAt,
        mode: 'daemon',
        specFile: path.relative(prepared.root, prepared.spec.specFile),
        observabilityConfig: path.relative(prepared.root, prepared.configFile),
        apply: false,
        lang: 'en',
        platform: 'cli',
        warnings: prepared.warnings,
        writes: [],
      }),
    );
  }

  private logStatusChanges(evaluation: Evaluation): void {
    const log = this.parts.log;
    const previous = this.parts.view.latest.get(evaluation.specId)?.evaluation;
    const before = new Map(previous?.verdicts.map((v) => [v.metric, v.status]));
    for (const v of evaluation.verdicts) {
      const was = before.get(v.metric);
      if (was === v.status) continue;
      const level = v.status === 'healthy' ? 'info' : 'warn';
      log[level](
        {
          event: 'status_changed',
          spec_id: evaluation.specId,
          metric: v.metric,
          from: was ?? null,
          to: v.status,
        },
        v.reason,
      );
    }
    if (previous?.status !== evaluation.status) {
      log.info(
        {
          event: 'spec_status',
          spec_id: evaluation.specId,
          from: previous?.status ?? null,
          to: evaluation.status,
        },
        `${evaluation.specId} is ${evaluation.status}`,
      );
    }
  }
}
