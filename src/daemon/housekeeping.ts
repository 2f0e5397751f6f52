import { badShareOf, errorBudgetOfTotals } from '../report/period/index.js';
import type { BudgetStatus } from '../server/types.js';
import type { Logger } from './logger.js';
import type { DaemonShared } from './shared.js';
import type { StatusView } from './status-view.js';

const BUDGET_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const PRUNE_EVERY_MS = HOUR_MS;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The database's upkeep after each recorded cycle, on the daemon's clock: bounded retention, the hourly
 * summaries that long history reads use, and the error budgets the status page shows. The long passes
 * give the event loop back between steps, so neither /healthz nor a cycle waits for them.
 */
export class Housekeeping {
  private lastPrune: number | null = null;
  /** The hour of the daemon's clock whose completed hours are summarized, and whether a pass runs. */
  private summarizedHour: number | null = null;
  private summarizing = false;
  private budgetsRefreshing = false;

  constructor(
    private readonly shared: DaemonShared,
    private readonly view: StatusView,
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

  /**
   * Recomputes the error budget left over the last BUDGET_WINDOW_DAYS for every ratio NFR, at most once
   * a minute of the daemon's clock. The shares are added up in SQL one day of history at a time, with
   * the event loop free between days: a window of one-second rows takes seconds of SQLite, and neither
   * /healthz nor a cycle may wait for it.
   */
  async refreshBudgets(at: Date): Promise<void> {
    if (this.budgetsRefreshing) return;
    this.budgetsRefreshing = true;
    try {
      for (const [specId, latest] of this.view.latest) {
        const cached = this.view.budgets.get(specId);
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
            if (this.parts.isStopping()) return;
            const part = this.shared.store.badShareTotals(
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
            await yieldToEventLoop();
          }
          budgets.push({
            metric: verdict.metric,
            windowDays: BUDGET_WINDOW_DAYS,
            remaining: errorBudgetOfTotals(count, sum, target)?.remaining ?? null,
          });
        }
        this.view.budgets.set(specId, { at: at.getTime(), budgets });
        this.view.changed();
      }
    } catch (error) {
      // The next cycle tries again; a failing store is reported by the cycle itself.
      this.log.warn({ event: 'budgets_failed' }, error instanceof Error ? error.message : String(error));
    } finally {
      this.budgetsRefreshing = false;
    }
  }
}
