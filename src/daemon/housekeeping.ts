import type { Logger } from './logger.js';
import type { DaemonShared } from './shared.js';

const HOUR_MS = 3_600_000;
const PRUNE_EVERY_MS = HOUR_MS;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The database's upkeep after each recorded cycle, on the daemon's clock: bounded retention and the
 * hourly summaries that long history reads use. The long passes
 * give the event loop back between steps, so neither /healthz nor a cycle waits for them.
 */
export class Housekeeping {
  private lastPrune: number | null = null;
  /** The hour of the daemon's clock whose completed hours are summarized, and whether a pass runs. */
  private summarizedHour: number | null = null;
  private summarizing = false;

  constructor(
    private readonly shared: DaemonShared,
    private readonly log: Logger,
    private readonly parts: {
      /** True once the daemon stops: long passes end early. */
      isStopping: () => boolean;
      /** `storage.retention` of the process-wide settings (a reload may change it). */
      retentionDays: () => number;
    },
  ) {}

  /** Bounded retention: once an hour, drop what is older than `storage.retention`. */
  pruneIfDue(at: Date): void {
    if (this.lastPrune !== null && at.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = at.getTime();
    const days = this.parts.retentionDays();
    const removed = this.shared.store.prune(new Date(at.getTime() - days * 86_400_000));
    if (removed.measurements + removed.outbox > 0) {
      this.log.info({ event: 'pruned', ...removed, retention_days: days }, 'old history pruned');
    }
  }

  /**
   * Once per hour of the daemon's clock, builds the hourly summaries that long history reads use
   * (Store.summarizeHours): six hours of one series per transaction, with the event loop free between, so
   * a first pass over months of history after an upgrade holds up neither /healthz nor a cycle.
   */
  async summarizeHoursIfDue(at: Date): Promise<void> {
    const hour = Math.floor(at.getTime() / HOUR_MS);
    if (this.summarizing || this.summarizedHour === hour) return;
    this.summarizing = true;
    try {
      const steps = this.shared.store.summarizeHours(at);
      for (;;) {
        if (this.parts.isStopping()) return;
        if (steps.next().done) break;
        await yieldToEventLoop();
      }
      this.summarizedHour = hour;
    } catch (error) {
      // The next cycle tries again; history reads fall back to the rows meanwhile.
      this.log.warn({ event: 'summaries_failed' }, error instanceof Error ? error.message : String(error));
    } finally {
      this.summarizing = false;
    }
  }
}
