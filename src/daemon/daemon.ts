import type { FSWatcher } from 'node:fs';
import { readdirSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AlertState, Receiver } from '../alerting/index.js';
import { advanceAlerts, alertKey, buildAlertPayload, deliverDue, policyFor } from '../alerting/index.js';
import type { Clock } from '../common/clock.js';
import { UserError } from '../common/errors.js';
import { Redactor } from '../config/index.js';
import type { ServerConfig } from '../config/types.js';
import type { Evaluation } from '../evaluate/index.js';
import { runCheck } from '../pipeline/index.js';
import type { Summary } from '../report/index.js';
import { buildSummary, runIdFor } from '../report/index.js';
import { badShareOf, errorBudgetOfTotals } from '../report/period/index.js';
import { checkListenPolicy } from '../server/auth.js';
import { resolveReportFile } from '../server/reports.js';
import type { BudgetStatus, CycleInfo, MonitorStatusSource, SpecStatus } from '../server/types.js';
import type { Store } from '../store/index.js';
import { explainStoreError, openStore } from '../store/index.js';
import type { HistorySample, MeasurementRow, SeriesRange } from '../store/types.js';
import { isLoopbackHost, resolveDatabasePath, writeScopeOf } from '../workspace/index.js';
import { BlindMonitoring, type BlindSpec } from './blind.js';
import type { Logger } from './logger.js';
import { DaemonMetrics } from './metrics.js';
import { writeDueReports } from './reports.js';
import { jitterFor, nextSlot, skippedSlots } from './schedule.js';
import type { PrepareOptions, SpecRuntime } from './targets.js';
import { alertmanagerRefreshSeconds, prepareRuntimes, selectSpecIds } from './targets.js';

export interface DaemonOptions extends PrepareOptions {
  specIds: string[];
  all: boolean;
  intervalSeconds: number;
  /** Base of reports (`.spec/reports/production-monitoring` or `--out`). */
  outputBase: string;
  /** Database file; default from the first spec's `storage.path`. */
  statePath?: string | undefined;
  /** `null` = no HTTP listener; undefined = from the first spec's `server` block. */
  listen?: { host: string; port: number } | null | undefined;
  /** `--allow-unauthenticated`: listen beyond loopback without a token (also `server.allow_unauthenticated`). */
  allowUnauthenticated?: boolean;
  /** `--allowed-host`: Host names answered besides those of `server.allowed_hosts`. */
  allowedHosts?: readonly string[];
  clock: Clock;
  logger: Logger;
  version: string;
  /** How long SIGTERM waits for the cycle in flight. */
  shutdownTimeoutMs: number;
  /** Called once the daemon listens (tests and the CLI print the URL). */
  onReady?: (info: { url: string | null; specs: string[]; database: string }) => void;
}

interface LatestSpec {
  evaluation: Evaluation;
  summary: Summary;
}

const DELIVERY_POLL_MS = 1000;
const BUDGET_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
const REPORT_CHECK_EVERY_MS = 60_000;

/**
 * The monitoring loop: every interval, measure every spec, advance the alert state machines, commit
 * measurements + alert states + notifications in one transaction, then deliver from the outbox.
 */
export class Daemon implements MonitorStatusSource {
  readonly version: string;
  readonly startedAt: Date;
  readonly intervalSeconds: number;
  readonly metrics = new DaemonMetrics();
  get registry() {
    return this.metrics.registry;
  }

  private runtimes: SpecRuntime[] = [];
  private currentRedactor = new Redactor([], []);
  private store!: Store;
  private states = new Map<string, AlertState>();
  private latest = new Map<string, LatestSpec>();
  private budgets = new Map<string, { at: number; budgets: BudgetStatus[] }>();
  private budgetsRefreshing = false;
  private last: CycleInfo | null = null;
  /** Bumped whenever what the status server shows may change (see MonitorStatusSource.revision). */
  private changes = 0;
  private lastPrune: number | null = null;
  /** The hour of the daemon's clock whose completed hours are summarized, and whether a pass runs. */
  private summarizedHour: number | null = null;
  private summarizing = false;
  private lastAlertmanagerRefresh: number | null = null;
  private lastReportCheck = Number.NEGATIVE_INFINITY;
  private reportsInFlight: Promise<void> | null = null;
  private readonly stopController = new AbortController();
  private cycleInFlight: Promise<void> | null = null;
  private deliveryInFlight: Promise<void> | null = null;
  private deliveryTimer: NodeJS.Timeout | null = null;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | null = null;
  private reloading = false;
  private server: { url: string; address: string; close(): Promise<void> } | null = null;
  private readonly jitterMs: number;
  private readonly log: Logger;
  private readonly blind: BlindMonitoring;
  /** Why the daemon stopped on its own (e.g. its database was deleted); the CLI exits non-zero. */
  private fatal: UserError | null = null;
  private readonly lostController = new AbortController();
  private stopping: Promise<void> | null = null;
  private lastDeliveryError: string | null = null;

  constructor(private readonly options: DaemonOptions) {
    this.version = options.version;
    this.intervalSeconds = options.intervalSeconds;
    this.startedAt = options.clock.now();
    this.jitterMs = jitterFor(options.intervalSeconds);
    this.log = options.logger;
    this.blind = new BlindMonitoring(options.logger);
  }

  /** The error that made the daemon stop on its own, or null after a normal stop. */
  get failure(): UserError | null {
    return this.fatal;
  }

  /** Redacts every secret of every monitored spec's config (for logs). */
  redactor(): Redactor {
    return this.currentRedactor;
  }

  private setRuntimes(runtimes: SpecRuntime[]): void {
    this.runtimes = runtimes;
    const secrets = runtimes.flatMap((r) => r.prepared.config.secretValues);
    this.currentRedactor = new Redactor(secrets, runtimes[0]?.prepared.settings.redactionPatterns ?? []);
  }

  // ---- MonitorStatusSource -------------------------------------------------------------------
  lastCycle(): CycleInfo | null {
    return this.last;
  }

  specs(): SpecStatus[] {
    return this.runtimes.flatMap((runtime) => {
      const specId = runtime.prepared.spec.specId;
      const latest = this.latest.get(specId);
      if (!latest) return [];
      const alerts = [...this.states.values()].filter((s) => s.specId === specId && s.phase !== 'inactive');
      return [
        {
          summary: latest.summary,
          alerts,
          budgets: this.budgetsFor(specId),
          reports: this.reportsOf(specId),
        },
      ];
    });
  }

  revision(): number {
    return this.changes;
  }

  history(range: SeriesRange, maxPoints: number): Iterable<HistorySample[]> {
    return this.store.downsampledHistory(range, maxPoints);
  }

  reportFile(relativePath: string): string | null {
    const root = this.runtimes[0]?.prepared.root;
    return root ? resolveReportFile(root, this.options.outputBase, relativePath) : null;
  }

  /** The HTTP listener: the flags over the first spec's `server` block; null for none. */
  private listenerOptions(server: ServerConfig) {
    const listen =
      this.options.listen === undefined
        ? server.enabled
          ? { host: server.host, port: server.port }
          : null
        : this.options.listen;
    if (!listen) return null;
    return {
      host: listen.host,
      port: listen.port,
      token: server.token,
      allowUnauthenticated: Boolean(this.options.allowUnauthenticated) || server.allowUnauthenticated,
      allowedHosts: [...server.allowedHosts, ...(this.options.allowedHosts ?? [])],
    };
  }

  // ---- lifecycle -------------------------------------------------------------------------------
  async start(): Promise<void> {
    const specIds = selectSpecIds(this.options);
    this.setRuntimes(
      await prepareRuntimes(specIds, { ...this.options, metrics: this.metrics }, (specId, reason) =>
        this.log.warn({ event: 'spec_skipped', spec_id: specId }, reason),
      ),
    );
    const first = this.runtimes[0]!.prepared;
    const listener = this.listenerOptions(first.config.server);
    // Before the database is opened and locked: a refused listener is a configuration error (exit 2).
    if (listener) checkListenPolicy(listener);
    const database = resolveDatabasePath(
      writeScopeOf(first.root, first.settings),
      this.options.statePath === undefined
        ? { path: first.config.storage.path, field: 'storage.path' }
        : { path: this.options.statePath, field: '--state' },
    );
    this.store = openStore(database, { verifyIntegrity: true });
    try {
      this.store.acquireLock({ pid: process.pid, host: os.hostname(), startedAt: this.options.clock.now() });
      for (const state of this.store.loadAlertStates())
        this.states.set(alertKey(state.specId, state.metric, state.kind), state);
      this.metrics.outboxDepth.set(this.store.depth());
    } catch (error) {
      this.store.close();
      throw explainStoreError(error, database);
    }

    if (listener) {
      const { startServer } = await import('../server/index.js');
      // The server reads the daemon's clock: readiness and chart windows follow a replay too.
      const listenOrigin =
        this.options.listen === undefined
          ? { field: 'server.listen', file: path.relative(first.root, first.configFile) || first.configFile }
          : { field: '--listen' };
      this.server = await startServer({ ...listener, source: this, listenOrigin }, this.options.clock);
      if (listener.token === null && !isLoopbackHost(listener.host)) {
        this.log.warn(
          { event: 'listen_unauthenticated', listen: this.server.address },
          'the status server listens beyond this machine without a token: anyone who can reach it can read it',
        );
      }
    }
    this.watchFiles();
    this.log.info(
      {
        event: 'started',
        specs: this.runtimes.map((r) => r.prepared.spec.specId),
        interval_seconds: this.intervalSeconds,
        database: path.relative(first.root, database),
        listen: this.server?.address ?? null,
        url: this.server?.url ?? null,
      },
      `monitoring ${this.runtimes.length} spec(s) every ${this.intervalSeconds}s`,
    );
    this.options.onReady?.({
      url: this.server?.url ?? null,
      specs: this.runtimes.map((r) => r.prepared.spec.specId),
      database,
    });
    // Also the database check: a file deleted under the daemon is noticed within a second.
    this.deliveryTimer = setInterval(() => void this.deliver(), DELIVERY_POLL_MS);
  }

  /** Runs cycles until `stop()`; never overlapping: a slow cycle delays the next one. */
  async run(): Promise<void> {
    const signal = this.stopController.signal;
    let after = this.options.clock.now();
    // The first cycle runs at once so a fresh daemon has a verdict before the first slot.
    let slot = after;
    while (!signal.aborted) {
      this.cycleInFlight = this.cycle(slot);
      await this.cycleInFlight;
      this.cycleInFlight = null;
      after = this.options.clock.now();
      const skipped = skippedSlots(slot, after, this.intervalSeconds);
      if (skipped > 0) {
        this.metrics.slowCycles.inc();
        this.log.warn(
          { event: 'cycle_slow', skipped_slots: skipped },
          'the cycle ran past the next slot; the next cycle is delayed',
        );
      }
      slot = nextSlot(after, this.intervalSeconds, this.jitterMs);
      await this.options.clock.sleepUntil(slot, signal);
    }
  }

  /** Stops scheduling, lets the cycle in flight finish within the bound, flushes, and releases everything. */
  stop(reason: string): Promise<void> {
    this.stopping ??= this.shutdown(reason);
    return this.stopping;
  }

  private async shutdown(reason: string): Promise<void> {
    this.log.info({ event: 'stopping', reason }, 'stopping');
    this.stopController.abort();
    if (this.deliveryTimer) clearInterval(this.deliveryTimer);
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const w of this.watchers) w.close();
    const bound = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMs).unref(),
    );
    // The cycle in flight starts a delivery pass when it ends: wait for that one too (the flush),
    // or the database would close under it and accepted notifications would be sent again.
    const inFlight = (async () => {
      await Promise.all([this.cycleInFlight, this.reportsInFlight]);
      if (this.fatal === null) await this.deliver();
      else await this.deliveryInFlight;
      return 'done' as const;
    })();
    if ((await Promise.race([inFlight, bound])) === 'timeout') {
      this.log.warn(
        { event: 'shutdown_timeout' },
        'the cycle in flight did not finish in time; its work is redone at the next start',
      );
    }
    await this.server?.close();
    this.store?.close();
    this.log.info({ event: 'stopped' }, 'stopped');
  }

  /** Re-reads every spec and config; an invalid new config is reported and the old one keeps running. */
  async reload(trigger: string): Promise<void> {
    if (this.reloading || this.stopController.signal.aborted) return;
    this.reloading = true;
    try {
      const specIds = selectSpecIds(this.options);
      const next = await prepareRuntimes(
        specIds,
        { ...this.options, metrics: this.metrics },
        (specId, reason) => this.log.warn({ event: 'spec_skipped', spec_id: specId }, reason),
      );
      this.setRuntimes(next);
      this.budgets.clear();
      this.changes++;
      for (const w of this.watchers) w.close();
      this.watchFiles();
      this.log.info(
        { event: 'reloaded', trigger, specs: next.map((r) => r.prepared.spec.specId) },
        'configuration reloaded',
      );
    } catch (error) {
      const message = error instanceof UserError ? error.message : String(error);
      const where =
        error instanceof UserError && error.location
          ? `${error.location.file}:${error.location.line ?? ''}`
          : undefined;
      this.log.error(
        {
          event: 'reload_failed',
          trigger,
          where,
          details: error instanceof UserError ? error.details : undefined,
        },
        `the new configuration is invalid, the previous one keeps running: ${message}`,
      );
    } finally {
      this.reloading = false;
    }
  }

  // ---- one cycle -------------------------------------------------------------------------------
  private async cycle(at: Date): Promise<void> {
    const stopTimer = this.metrics.cycleDuration.startTimer();
    const startedReal = Date.now();
    let error: string | null = null;
    const runtimes = this.runtimes;
    let evaluations: Evaluation[] | null = null;
    try {
      if (!this.databaseIsThere()) return;
      evaluations = await Promise.all(runtimes.map((r) => runCheck(r.prepared, at)));
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
        const outcome = advanceAlerts(evaluation, this.states, this.alertContext(runtime));
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
      if (!this.databaseIsThere()) return;
      const { enqueued } = this.store.commitCycle({ at, measurements, alertStates: changed, notifications });
      // What the status page and /metrics show is what was recorded: a cycle that could not be
      // recorded raised no alert, so its verdicts must not read as the monitor's word.
      for (const [i, evaluation] of evaluations.entries()) {
        this.logStatusChanges(evaluation);
        this.metrics.recordVerdicts(evaluation.specId, evaluation.verdicts);
        this.latest.set(evaluation.specId, { evaluation, summary: this.summaryOf(runtimes[i]!, evaluation) });
      }
      for (const state of changed) {
        this.states.set(alertKey(state.specId, state.metric, state.kind), state);
        this.metrics.alertFiring.set(
          { spec_id: state.specId, metric: state.metric, kind: state.kind },
          state.phase === 'firing' ? 1 : 0,
        );
      }
      for (const e of eventsToLog) {
        this.log.warn({ event: `alert_${e.event}`, spec_id: e.specId, severity: e.severity }, e.text);
      }
      if (enqueued > 0) this.metrics.outboxDepth.set(this.store.depth());
      this.store.heartbeat(this.options.clock.now());
      this.pruneIfDue(at);
      this.metrics.lastSuccess.set(this.options.clock.now().getTime() / 1000);
      await this.blind.recovered(at);
      void this.refreshAlertmanager(at);
      void this.deliver();
      void this.reportsIfDue();
      void this.refreshBudgets(at);
      void this.summarizeHoursIfDue(at);
    } catch (thrown) {
      const caught = explainStoreError(thrown, this.store.file);
      const root = this.runtimes[0]?.prepared.root ?? '';
      // It is shown by /readyz and sent in the blind notices: the database path relative to the
      // workspace, as the `started` line names it, rather than this machine's absolute path.
      error = this.currentRedactor
        .redact(
          caught instanceof UserError && caught.hint
            ? `${caught.message} (${caught.hint})`
            : caught instanceof Error
              ? caught.message
              : String(caught),
        )
        .replaceAll(this.store.file, path.relative(root, this.store.file));
      this.log.error({ event: 'cycle_failed', consecutive: this.blind.consecutiveFailures + 1 }, error);
      this.metrics.cyclesFailed.inc();
      const specs = this.blindSpecs(runtimes, evaluations);
      // Whatever was measured, nothing was recorded and no alert can follow: unknown, never healthy.
      for (const spec of specs) this.metrics.recordUnknown(spec.specId, spec.verdicts);
      await this.blind.failed(at, specs, error);
    } finally {
      const finishedAt = this.options.clock.now();
      const durationMs = Date.now() - startedReal;
      stopTimer();
      this.metrics.cycles.inc();
      this.metrics.lastCycle.set(finishedAt.getTime() / 1000);
      const slow = skippedSlots(at, finishedAt, this.intervalSeconds) > 0;
      this.last = {
        startedAt: at,
        finishedAt,
        durationMs,
        slow,
        consecutiveFailures: this.blind.consecutiveFailures,
        error,
      };
      this.changes++;
      if (this.fatal === null) {
        try {
          this.store.recordCycle({ startedAt: at, durationMs, slow, error });
        } catch {
          // the store is closing or failing; the cycle's data is already committed or rolled back
        }
      }
    }
  }

  /** The specs as the blind-monitoring notices need them: this cycle's verdicts, else the last known. */
  private blindSpecs(runtimes: SpecRuntime[], evaluations: Evaluation[] | null): BlindSpec[] {
    return runtimes.map((runtime, i) => {
      const specId = runtime.prepared.spec.specId;
      const context = this.alertContext(runtime);
      return {
        specId,
        verdicts: evaluations?.[i]?.verdicts ?? this.latest.get(specId)?.evaluation.verdicts ?? [],
        receivers: runtime.receivers,
        policy: context.policy,
        alreadyBlind: (metric) => this.states.get(alertKey(specId, metric, 'no_data'))?.phase === 'firing',
        payloadContext: context,
      };
    });
  }

  /**
   * False, after stopping the daemon, once its database file was deleted or replaced: going on would
   * write to a file nobody reads, and a second daemon could take the workspace (its lock went with
   * the file) and send every alert again.
   */
  private databaseIsThere(): boolean {
    if (this.fatal !== null) return false;
    try {
      this.store.requireSameFile();
      return true;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      this.fatal = error;
      this.lostController.abort();
      this.log.fatal(
        { event: 'database_lost', database: this.store.file, hint: error.hint },
        `${error.message}: stopping`,
      );
      void this.stop('database lost');
      return false;
    }
  }

  /** Reports are checked at start and then about once a minute, outside the cycle. */
  private reportsIfDue(): Promise<void> {
    // On the daemon's clock, so a replay crosses day boundaries as a live daemon would.
    const now = this.options.clock.now().getTime();
    if (this.reportsInFlight || now - this.lastReportCheck < REPORT_CHECK_EVERY_MS) {
      return this.reportsInFlight ?? Promise.resolve();
    }
    this.lastReportCheck = now;
    const pass = writeDueReports({
      runtimes: this.runtimes,
      store: this.store,
      outputBase: this.options.outputBase,
      intervalSeconds: this.intervalSeconds,
      clock: this.options.clock,
      log: this.log,
      version: this.version,
    })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.log.error({ event: 'report_failed' }, error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        this.reportsInFlight = null;
        // New report files to link from the status page.
        this.changes++;
      });
    this.reportsInFlight = pass;
    return pass;
  }

  /**
   * Alertmanager forgets an alert whose endsAt has passed: firing alerts are re-posted every refresh
   * period, straight to the Alertmanager receivers (best effort: the outbox keeps the events that
   * must not be lost; a missed refresh is made good by the next one).
   */
  private async refreshAlertmanager(at: Date): Promise<void> {
    const period = alertmanagerRefreshSeconds(this.intervalSeconds) * 1000;
    if (this.lastAlertmanagerRefresh !== null && at.getTime() - this.lastAlertmanagerRefresh < period) return;
    this.lastAlertmanagerRefresh = at.getTime();
    for (const runtime of this.runtimes) {
      const receivers = runtime.receivers.filter((r) => r.type === 'alertmanager');
      if (receivers.length === 0) continue;
      const specId = runtime.prepared.spec.specId;
      const verdicts = new Map(this.latest.get(specId)?.evaluation.verdicts.map((v) => [v.metric, v]));
      const context = this.alertContext(runtime);
      for (const state of this.states.values()) {
        const verdict = verdicts.get(state.metric);
        if (state.specId !== specId || state.phase !== 'firing' || !verdict) continue;
        const payload = buildAlertPayload({
          verdict,
          state,
          event: 'reminder',
          kind: state.kind,
          service: context.service,
          links: context.links(),
          version: context.version,
          host: context.host,
          redact: context.redact,
        });
        for (const receiver of receivers) {
          const result = await receiver.deliver(payload);
          if (!result.ok) {
            this.log.debug({ event: 'alertmanager_refresh_failed', receiver: receiver.name }, result.error);
          }
        }
      }
    }
  }

  /** Bounded retention: once an hour, drop what is older than `storage.retention`. */
  private pruneIfDue(at: Date): void {
    if (this.lastPrune !== null && at.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = at.getTime();
    const days = this.runtimes[0]!.prepared.config.storage.retentionDays;
    const removed = this.store.prune(new Date(at.getTime() - days * 86_400_000));
    if (removed.measurements + removed.outbox > 0) {
      this.log.info({ event: 'pruned', ...removed, retention_days: days }, 'old history pruned');
    }
  }

  /**
   * Once per hour of the daemon's clock, builds the hourly summaries that long history reads use
   * (Store.summarizeHours): six hours of one series per transaction, with the event loop free between, so
   * a first pass over months of history after an upgrade holds up neither /healthz nor a cycle.
   */
  private async summarizeHoursIfDue(at: Date): Promise<void> {
    const hour = Math.floor(at.getTime() / PRUNE_EVERY_MS);
    if (this.summarizing || this.summarizedHour === hour) return;
    this.summarizing = true;
    try {
      const steps = this.store.summarizeHours(at);
      for (;;) {
        if (this.stopping) return;
        if (steps.next().done) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.summarizedHour = hour;
    } catch (error) {
      // The next cycle tries again; history reads fall back to the rows meanwhile.
      this.log.warn({ event: 'summaries_failed' }, error instanceof Error ? error.message : String(error));
    } finally {
      this.summarizing = false;
    }
  }

  private alertContext(runtime: SpecRuntime) {
    const { prepared } = runtime;
    const mappings = new Map(prepared.config.metrics.map((m) => [m.name, m]));
    const statusPage = this.server ? `${this.server.url}/` : null;
    return {
      policy: (metric: string) => policyFor(prepared.config.alerting, mappings.get(metric)),
      receivers: runtime.receivers.map((r) => r.name),
      intervalSeconds: this.intervalSeconds,
      links: () => ({ report: null, status_page: statusPage }),
      service: prepared.spec.specId,
      version: this.version,
      host: os.hostname(),
      redact: (text: string) => prepared.redactor.redact(text),
    };
  }

  private summaryOf(runtime: SpecRuntime, evaluation: Evaluation): Summary {
    const { prepared } = runtime;
    return prepared.redactor.redactDeep(
      buildSummary(evaluation, {
        version: this.version,
        runId: runIdFor(evaluation.checkedAt),
        generatedAt: this.options.clock.now(),
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
    const previous = this.latest.get(evaluation.specId)?.evaluation;
    const before = new Map(previous?.verdicts.map((v) => [v.metric, v.status]));
    for (const v of evaluation.verdicts) {
      const was = before.get(v.metric);
      if (was === v.status) continue;
      const level = v.status === 'healthy' ? 'info' : 'warn';
      this.log[level](
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
      this.log.info(
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

  // ---- delivery ----------------------------------------------------------------------------------
  /** One delivery pass at a time; further calls while one runs share it. */
  private deliver(): Promise<void> {
    if (!this.deliveryInFlight) {
      const pass = this.deliveryPass();
      this.deliveryInFlight = pass;
      void pass.finally(() => {
        if (this.deliveryInFlight === pass) this.deliveryInFlight = null;
      });
    }
    return this.deliveryInFlight;
  }

  private async deliveryPass(): Promise<void> {
    try {
      if (!this.databaseIsThere() || this.store.depth() === 0) return;
      const receivers = new Map<string, Receiver>();
      for (const r of this.runtimes)
        for (const receiver of r.receivers) receivers.set(receiver.name, receiver);
      const counts = await deliverDue(this.store, receivers, () => this.options.clock.now(), {
        // A lost database starts no further sends (a second daemon may own the workspace now).
        signal: this.lostController.signal,
      });
      if (counts.delivered) this.metrics.notifications.inc({ result: 'delivered' }, counts.delivered);
      if (counts.failed) this.metrics.notifications.inc({ result: 'failed' }, counts.failed);
      if (counts.dead) this.metrics.notifications.inc({ result: 'dead' }, counts.dead);
      if (counts.superseded) {
        this.metrics.notifications.inc({ result: 'superseded' }, counts.superseded);
      }
      if (counts.failed || counts.dead) {
        this.log.warn(
          { event: 'delivery_failed', failed: counts.failed, dead: counts.dead },
          'some notifications could not be delivered; they are retried with backoff',
        );
      }
      this.metrics.outboxDepth.set(this.store.depth());
      this.lastDeliveryError = null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Once per distinct error: a failing database would otherwise log it every second.
      if (message !== this.lastDeliveryError) this.log.error({ event: 'delivery_error' }, message);
      this.lastDeliveryError = message;
    }
  }

  // ---- status helpers ----------------------------------------------------------------------------
  /** The error budgets last computed for a spec (refreshBudgets keeps them current), empty before. */
  private budgetsFor(specId: string): BudgetStatus[] {
    return this.budgets.get(specId)?.budgets ?? [];
  }

  /**
   * Recomputes the error budget left over the last BUDGET_WINDOW_DAYS for every ratio NFR, at most once
   * a minute of the daemon's clock. The shares are added up in SQL one day of history at a time, with
   * the event loop free between days: a window of one-second rows takes seconds of SQLite, and neither
   * /healthz nor a cycle may wait for it.
   */
  private async refreshBudgets(at: Date): Promise<void> {
    if (this.budgetsRefreshing) return;
    this.budgetsRefreshing = true;
    try {
      for (const [specId, latest] of this.latest) {
        const cached = this.budgets.get(specId);
        if (cached && at.getTime() - cached.at < 60_000 && at.getTime() >= cached.at) continue;
        const to = new Date(latest.evaluation.checkedAt.getTime() + 1);
        const from = new Date(to.getTime() - BUDGET_WINDOW_DAYS * DAY_MS);
        const budgets: BudgetStatus[] = [];
        for (const verdict of latest.evaluation.verdicts) {
          const target = { text: '', comparator: verdict.comparator, slo: verdict.slo, unit: verdict.unit };
          const share = badShareOf(target);
          if (share === null) continue;
          let count = 0;
          let sum = 0;
          for (let start = from.getTime(); start < to.getTime(); start += DAY_MS) {
            if (this.stopping) return;
            const part = this.store.badShareTotals(
              {
                specId,
                metric: verdict.metric,
                from: new Date(start),
                to: new Date(Math.min(to.getTime(), start + DAY_MS)),
              },
              share,
            );
            count += part.count;
            sum += part.sum;
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          budgets.push({
            metric: verdict.metric,
            windowDays: BUDGET_WINDOW_DAYS,
            remaining: errorBudgetOfTotals(count, sum, target)?.remaining ?? null,
          });
        }
        this.budgets.set(specId, { at: at.getTime(), budgets });
        this.changes++;
      }
    } catch (error) {
      // The next cycle tries again; a failing store is reported by the cycle itself.
      this.log.warn({ event: 'budgets_failed' }, error instanceof Error ? error.message : String(error));
    } finally {
      this.budgetsRefreshing = false;
    }
  }

  /** The newest report files (HTML preferred, else JSON) of each kind, relative to the root. */
  private reportsOf(specId: string): { daily: string[]; weekly: string[] } {
    const root = this.runtimes[0]!.prepared.root;
    const list = (kind: 'daily' | 'weekly'): string[] => {
      const dir = path.join(this.options.outputBase, specId, kind);
      let names: string[];
      try {
        // Regular files only: the report route refuses a symlink, so the page must not link one.
        names = readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => entry.name);
      } catch {
        return [];
      }
      const labels = [...new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5)))]
        .sort()
        .reverse();
      return labels.slice(0, 7).map((label) => {
        const html = `${label}.html`;
        return path.relative(root, path.join(dir, names.includes(html) ? html : `${label}.json`));
      });
    };
    return { daily: list('daily'), weekly: list('weekly') };
  }

  private watchFiles(): void {
    const files = new Set<string>();
    for (const r of this.runtimes) {
      files.add(r.prepared.spec.specFile);
      files.add(r.prepared.configFile);
    }
    for (const file of files) {
      try {
        const watcher = watch(file, { persistent: false }, () =>
          this.scheduleReload(`changed ${path.basename(file)}`),
        );
        watcher.on('error', () => undefined);
        this.watchers.push(watcher);
      } catch {
        // a file that cannot be watched is still reloaded on SIGHUP
      }
    }
  }

  private scheduleReload(trigger: string): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => void this.reload(trigger), 300);
  }
}
