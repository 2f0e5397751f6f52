import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../common/clock.js';
import { completedPeriods, type HistorySource } from '../report/period/index.js';
import { aggregatorCommand, producePeriodReport, runAggregator } from '../report/produce.js';
import { type HistoryReaders, openHistoryReaders, type Store } from '../store/index.js';
import type { Logger } from './logger.js';
import type { DaemonShared } from './shared.js';
import type { SpecRuntime } from './targets.js';

const REPORT_CHECK_EVERY_MS = 60_000;

/** How far back a daemon that was down catches up on missing reports. */
const CATCH_UP = { daily: 8 * 86_400_000, weekly: 5 * 7 * 86_400_000 } as const;

/**
 * Writes the daily and weekly performance reports that are due: every completed period since the
 * spec was first measured (bounded) whose JSON report does not exist yet. So a daemon that was down
 * at midnight writes the missing reports when it comes back. New reports are then handed to
 * `smartspec_feedback_aggregator --run-once`.
 */
export async function writeDueReports(options: {
  runtimes: readonly SpecRuntime[];
  store: Store;
  outputBase: string;
  intervalSeconds: number;
  clock: Clock;
  log: Logger;
  version: string;
}): Promise<number> {
  const now = options.clock.now();
  let written = 0;
  for (const runtime of options.runtimes) {
    const { prepared } = runtime;
    const specId = prepared.spec.specId;
    const settings = prepared.config.reports;
    const first = options.store.firstMeasurementAt(specId);
    if (!first) continue;
    // The history is read by a worker thread, started with the first report due and ended with the
    // spec's reports: a month of rows never holds the event loop (cycles, the listener, deliveries).
    // One is enough: whole hours come packed, so reading is a small part of a report's work.
    let readers: HistoryReaders | undefined;
    const history: HistorySource = (q) => {
      readers ??= openHistoryReaders(options.store.file, { threads: 1 });
      return readers.seriesColumns(q);
    };
    let wroteForSpec = false;
    try {
      for (const kind of ['daily', 'weekly'] as const) {
        if (!settings[kind]) continue;
        const since = new Date(Math.max(first.getTime(), now.getTime() - CATCH_UP[kind]));
        const due = completedPeriods(kind, since, now, settings.timeZone);
        options.log.debug(
          {
            event: 'reports_due',
            spec_id: specId,
            kind,
            since: since.toISOString(),
            due: due.map((p) => p.label),
          },
          'reports check',
        );
        for (const period of due) {
          const json = path.join(options.outputBase, specId, kind, `${period.label}.json`);
          if (existsSync(json)) continue;
          try {
            const produced = await producePeriodReport({
              prepared,
              period,
              history,
              intervalSeconds: options.intervalSeconds,
              outputBase: options.outputBase,
              formats: settings.formats.includes('json') ? settings.formats : ['json', ...settings.formats],
              generatedAt: now,
              version: options.version,
            });
            written += 1;
            wroteForSpec = true;
            options.log.info(
              {
                event: 'report_written',
                spec_id: specId,
                kind,
                period: period.label,
                files: produced.files,
                trends: produced.report.trends.map((t) => t.sentence),
              },
              `${kind} report ${period.label} of ${specId}`,
            );
          } catch (error) {
            options.log.error(
              { event: 'report_failed', spec_id: specId, kind, period: period.label },
              error instanceof Error ? error.message : String(error),
            );
          }
        }
      }
    } finally {
      await readers?.close();
    }
    const command = wroteForSpec ? aggregatorCommand(settings) : null;
    if (command) {
      const result = await runAggregator(command, (t) => prepared.redactor.redact(t));
      if (result.ok)
        options.log.info(
          { event: 'aggregator_ran', spec_id: specId },
          `${path.basename(command.argv[0]!)} ran`,
        );
      else options.log.warn({ event: 'aggregator_failed', spec_id: specId }, result.error);
    }
  }
  return written;
}

/** Reports are checked at start and then about once a minute of the daemon's clock, outside the cycle. */
export class ReportSchedule {
  private lastCheck = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly shared: DaemonShared,
    private readonly options: {
      outputBase: string;
      intervalSeconds: number;
      clock: Clock;
      log: Logger;
      version: string;
      /** New report files to link from the status page. */
      onPassEnd: () => void;
    },
  ) {}

  /** The pass in flight, if any (the shutdown waits for it). */
  get pending(): Promise<void> | null {
    return this.inFlight;
  }

  writeIfDue(): Promise<void> {
    // On the daemon's clock, so a replay crosses day boundaries as a live daemon would.
    const now = this.options.clock.now().getTime();
    if (this.inFlight || now - this.lastCheck < REPORT_CHECK_EVERY_MS) {
      return this.inFlight ?? Promise.resolve();
    }
    this.lastCheck = now;
    const { log } = this.options;
    const pass = writeDueReports({
      runtimes: this.shared.runtimes,
      store: this.shared.store,
      outputBase: this.options.outputBase,
      intervalSeconds: this.options.intervalSeconds,
      clock: this.options.clock,
      log,
      version: this.options.version,
    })
      .then(() => undefined)
      .catch((error: unknown) => {
        log.error({ event: 'report_failed' }, error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        this.inFlight = null;
        this.options.onPassEnd();
      });
    this.inFlight = pass;
    return pass;
  }
}
