import os from 'node:os';
import path from 'node:path';
import { alertKey } from '../alerting/index.js';
import type { Clock } from '../common/clock.js';
import { UserError } from '../common/errors.js';
import { Redactor } from '../config/index.js';
import { checkListenPolicy } from '../server/auth.js';
import { explainStoreError, openStore } from '../store/index.js';
import { isLoopbackHost, resolveDatabasePath, writeScopeOf } from '../workspace/index.js';
import { alertContextFor } from './alert-context.js';
import { AlertmanagerRefresh } from './alertmanager-refresh.js';
import { BlindMonitoring } from './blind.js';
import { Cycle } from './cycle.js';
import { DeliveryLoop } from './delivery.js';
import { FileWatch } from './file-watch.js';
import { Housekeeping } from './housekeeping.js';
import type { Logger } from './logger.js';
import { DaemonMetrics } from './metrics.js';
import { ReportSchedule } from './reports.js';
import { jitterFor, nextSlot, skippedSlots } from './schedule.js';
import type { DaemonSettings } from './settings.js';
import { daemonSettings, restartOnlyChanges, settingsSourcesOf } from './settings.js';
import { DaemonShared } from './shared.js';
import { StatusView } from './status-view.js';
import type { PrepareOptions, SpecRuntime } from './targets.js';
import { prepareRuntimes, selectSpecIds } from './targets.js';

export interface DaemonOptions extends PrepareOptions {
  specIds: string[];
  all: boolean;
  intervalSeconds: number;
  /** Base of reports (`.spec/reports/production-monitoring` or `--out`). */
  outputBase: string;
  /** `--state`: the database file, over `storage.path` (see settings.ts). */
  statePath?: string | undefined;
  /** `--listen`, or `null` for `--no-server`; undefined = from the files' `server` blocks (see settings.ts). */
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

/**
 * The coordinator: starts the parts (one measuring cycle per interval, the delivery loop, report
 * schedule, housekeeping, the status server), reloads the configuration, and stops them in order.
 */
export class Daemon {
  readonly version: string;
  readonly startedAt: Date;
  readonly intervalSeconds: number;
  readonly metrics = new DaemonMetrics();
  /** What the status server reads. */
  readonly status: StatusView;

  private readonly shared = new DaemonShared();
  /** Process-wide: built at start, rebuilt on reload (see settings.ts). */
  private settings: DaemonSettings | null = null;
  private currentRedactor = new Redactor([], []);
  private readonly cycle: Cycle;
  private readonly delivery: DeliveryLoop;
  private readonly housekeeping: Housekeeping;
  private readonly reports: ReportSchedule;
  private readonly alertmanager: AlertmanagerRefresh;
  private readonly stopController = new AbortController();
  private cycleInFlight: Promise<void> | null = null;
  private readonly files = new FileWatch((trigger) => void this.reload(trigger));
  private reloading = false;
  private server: { url: string; address: string; close(): Promise<void> } | null = null;
  private readonly jitterMs: number;
  private readonly log: Logger;
  private readonly blind: BlindMonitoring;
  /** Why the daemon stopped on its own (e.g. its database was deleted); the CLI exits non-zero. */
  private fatal: UserError | null = null;
  private readonly lostController = new AbortController();
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: DaemonOptions) {
    this.version = options.version;
    this.intervalSeconds = options.intervalSeconds;
    this.startedAt = options.clock.now();
    this.jitterMs = jitterFor(options.intervalSeconds);
    this.log = options.logger;
    this.blind = new BlindMonitoring(options.logger);
    const { clock, version, intervalSeconds, outputBase } = options;
    const log = this.log;
    this.status = new StatusView(this.shared, this.metrics, {
      version,
      startedAt: this.startedAt,
      intervalSeconds,
      outputBase,
      onObjectivesError: (message) => this.log.warn({ event: 'objectives_failed' }, message),
    });
    const isStopping = () => this.stopping !== null;
    const databaseIsThere = () => this.databaseIsThere();
    const alertContext = (runtime: SpecRuntime) =>
      alertContextFor(runtime, {
        intervalSeconds,
        version,
        statusPageUrl: this.server ? `${this.server.url}/` : null,
      });
    this.housekeeping = new Housekeeping(this.shared, log, {
      isStopping,
      retentionDays: () => this.settings!.retentionDays,
    });
    this.delivery = new DeliveryLoop(this.shared, {
      clock,
      log,
      metrics: this.metrics,
      databaseIsThere,
      lost: this.lostController.signal,
    });
    this.reports = new ReportSchedule(this.shared, {
      outputBase,
      intervalSeconds,
      clock,
      log,
      version,
      onPassEnd: () => this.status.changed(),
    });
    this.alertmanager = new AlertmanagerRefresh(this.shared, this.status, {
      intervalSeconds,
      log,
      alertContext,
    });
    this.cycle = new Cycle(this.shared, {
      clock,
      log,
      metrics: this.metrics,
      blind: this.blind,
      view: this.status,
      intervalSeconds,
      version,
      databaseIsThere,
      isFatal: () => this.fatal !== null,
      redactor: () => this.currentRedactor,
      alertContext,
      afterCommit: (at) => this.housekeeping.pruneIfDue(at),
      followUp: (at) => {
        void this.alertmanager.refreshIfDue(at);
        void this.delivery.deliver();
        void this.reports.writeIfDue();
        void this.housekeeping.summarizeHoursIfDue(at);
      },
      objectives: {
        measure: (at) =>
          this.status.objectives.refresh(
            this.shared.runtimes.map((r) => r.prepared),
            at,
            this.stopController.signal,
          ),
        at: (specId, at) => this.status.objectives.reportsAt(specId, at),
      },
    });
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
    this.shared.runtimes = runtimes;
    const secrets = runtimes.flatMap((r) => r.prepared.config.secretValues);
    this.currentRedactor = new Redactor(secrets, runtimes[0]?.prepared.settings.redactionPatterns ?? []);
  }

  /** The process-wide settings of these runtimes' files and the flags; throws on a disagreement. */
  private settingsOf(runtimes: readonly SpecRuntime[]): DaemonSettings {
    return daemonSettings(settingsSourcesOf(runtimes), this.options, runtimes[0]!.prepared.root);
  }

  // ---- lifecycle -------------------------------------------------------------------------------
  async start(): Promise<void> {
    const specIds = selectSpecIds(this.options);
    this.setRuntimes(
      await prepareRuntimes(specIds, { ...this.options, metrics: this.metrics }, (specId, reason) =>
        this.log.warn({ event: 'spec_skipped', spec_id: specId }, reason),
      ),
    );
    const first = this.shared.runtimes[0]!.prepared;
    this.settings = this.settingsOf(this.shared.runtimes);
    const { listener } = this.settings;
    // Before the database is opened and locked: a refused listener is a configuration error (exit 2).
    if (listener) checkListenPolicy(listener);
    const database = resolveDatabasePath(writeScopeOf(first.root, first.settings), this.settings.database);
    const store = openStore(database, { verifyIntegrity: true });
    this.shared.store = store;
    try {
      store.acquireLock({ pid: process.pid, host: os.hostname(), startedAt: this.options.clock.now() });
      for (const state of store.loadAlertStates())
        this.shared.alertStates.set(alertKey(state.specId, state.metric, state.kind), state);
      this.metrics.outboxDepth.set(store.depth());
    } catch (error) {
      store.close();
      throw explainStoreError(error, database);
    }

    if (listener) {
      const { startServer } = await import('../server/index.js');
      const { origin, ...address } = listener;
      // The server reads the daemon's clock: readiness and chart windows follow a replay too.
      this.server = await startServer(
        { ...address, source: this.status, listenOrigin: origin },
        this.options.clock,
      );
      if (listener.token === null && !isLoopbackHost(listener.host)) {
        this.log.warn(
          { event: 'listen_unauthenticated', listen: this.server.address },
          'the status server listens beyond this machine without a token: anyone who can reach it can read it',
        );
      }
    }
    this.files.watch(this.shared.runtimes);
    const specs = this.shared.runtimes.map((r) => r.prepared.spec.specId);
    this.log.info(
      {
        event: 'started',
        specs,
        interval_seconds: this.intervalSeconds,
        database: path.relative(first.root, database),
        listen: this.server?.address ?? null,
        url: this.server?.url ?? null,
      },
      `monitoring ${specs.length} spec(s) every ${this.intervalSeconds}s`,
    );
    this.options.onReady?.({ url: this.server?.url ?? null, specs, database });
    // Also the database check: a file deleted under the daemon is noticed within a second.
    this.delivery.start();
  }

  /** Runs cycles until `stop()`; never overlapping: a slow cycle delays the next one. */
  async run(): Promise<void> {
    const signal = this.stopController.signal;
    let after = this.options.clock.now();
    // The first cycle runs at once so a fresh daemon has a verdict before the first slot.
    let slot = after;
    while (!signal.aborted) {
      this.cycleInFlight = this.cycle.run(slot);
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
    this.delivery.stop();
    this.files.close();
    const bound = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), this.options.shutdownTimeoutMs).unref(),
    );
    // The cycle in flight starts a delivery pass when it ends: wait for that one too (the flush),
    // or the database would close under it and accepted notifications would be sent again.
    const inFlight = (async () => {
      await Promise.all([this.cycleInFlight, this.reports.pending]);
      if (this.fatal === null) await this.delivery.deliver();
      else await this.delivery.pending;
      return 'done' as const;
    })();
    if ((await Promise.race([inFlight, bound])) === 'timeout') {
      this.log.warn(
        { event: 'shutdown_timeout' },
        'the cycle in flight did not finish in time; its work is redone at the next start',
      );
    }
    await this.server?.close();
    if (this.shared.hasStore) this.shared.store.close();
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
      // The same rule as at start: files that disagree keep the previous configuration running.
      const settings = this.settingsOf(next);
      const restartNeeded = restartOnlyChanges(this.settings, settings);
      this.settings = settings;
      this.setRuntimes(next);
      this.status.objectives.clear();
      this.status.changed();
      this.files.watch(next);
      this.log.info(
        { event: 'reloaded', trigger, specs: next.map((r) => r.prepared.spec.specId) },
        'configuration reloaded',
      );
      if (restartNeeded.length > 0) {
        this.log.warn(
          { event: 'restart_needed', settings: restartNeeded },
          `${restartNeeded.join(' and ')} changed: the daemon keeps the one it started with until it is restarted`,
        );
      }
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

  /**
   * False, after stopping the daemon, once its database file was deleted or replaced: going on would
   * write to a file nobody reads, and a second daemon could take the workspace (its lock went with
   * the file) and send every alert again.
   */
  private databaseIsThere(): boolean {
    if (this.fatal !== null) return false;
    try {
      this.shared.store.requireSameFile();
      return true;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      this.fatal = error;
      this.lostController.abort();
      this.log.fatal(
        { event: 'database_lost', database: this.shared.store.file, hint: error.hint },
        `${error.message}: stopping`,
      );
      void this.stop('database lost');
      return false;
    }
  }
}
