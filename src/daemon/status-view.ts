import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Evaluation } from '../evaluate/index.js';
import type { Summary } from '../report/index.js';
import { resolveReportFile } from '../server/reports.js';
import type { CycleInfo, MonitorStatusSource, SpecStatus } from '../server/types.js';
import type { HistorySample, SeriesRange } from '../store/types.js';
import type { DaemonMetrics } from './metrics.js';
import { ObjectiveTracker } from './objectives.js';
import type { DaemonShared } from './shared.js';

export interface LatestSpec {
  readonly evaluation: Evaluation;
  readonly summary: Summary;
}

/**
 * A spec's last evaluation with its summary built (and redacted) only when the status server first
 * reads it: a cycle of thousands of NFRs then makes no summary nobody looks at.
 */
export function latestSpec(evaluation: Evaluation, buildSummary: () => Summary): LatestSpec {
  let summary: Summary | undefined;
  return {
    evaluation,
    get summary() {
      summary ??= buildSummary();
      return summary;
    },
  };
}

/**
 * What /api/status and the status page read: the last recorded verdicts, open alerts, error budgets
 * and report files. The cycle and housekeeping write into it; the server only reads.
 */
export class StatusView implements MonitorStatusSource {
  readonly version: string;
  readonly startedAt: Date;
  readonly intervalSeconds: number;
  /** The last recorded evaluation of each spec. */
  readonly latest = new Map<string, LatestSpec>();
  /** The objectives measured from the backend in each cycle (docs/slo.md#measured-objectives). */
  readonly objectives: ObjectiveTracker;
  private last: CycleInfo | null = null;
  /** Bumped whenever what the status server shows may change (see MonitorStatusSource.revision). */
  private changes = 0;
  private readonly outputBase: string;

  constructor(
    private readonly shared: DaemonShared,
    private readonly metrics: DaemonMetrics,
    options: {
      version: string;
      startedAt: Date;
      intervalSeconds: number;
      outputBase: string;
      onObjectivesError: (message: string) => void;
    },
  ) {
    this.objectives = new ObjectiveTracker(() => this.changed(), options.onObjectivesError);
    this.version = options.version;
    this.startedAt = options.startedAt;
    this.intervalSeconds = options.intervalSeconds;
    this.outputBase = options.outputBase;
  }

  get registry() {
    return this.metrics.registry;
  }

  /** Something shown may have changed (a reload, a report, new budgets). */
  changed(): void {
    this.changes++;
  }

  recordCycle(info: CycleInfo): void {
    this.last = info;
    this.changes++;
  }

  lastCycle(): CycleInfo | null {
    return this.last;
  }

  specs(): SpecStatus[] {
    return this.shared.runtimes.flatMap((runtime) => {
      const specId = runtime.prepared.spec.specId;
      const latest = this.latest.get(specId);
      if (!latest) return [];
      const alerts = [...this.shared.alertStates.values()].filter(
        (s) => s.specId === specId && s.phase !== 'inactive',
      );
      return [
        {
          summary: this.objectives.withObjectives(latest.summary),
          alerts,
          budgets: this.objectives.budgets(specId),
          reports: this.reportsOf(specId),
        },
      ];
    });
  }

  revision(): number {
    return this.changes;
  }

  history(range: SeriesRange, maxPoints: number): Iterable<HistorySample[]> {
    return this.shared.store.downsampledHistory(range, maxPoints);
  }

  reportFile(relativePath: string): string | null {
    const root = this.shared.runtimes[0]?.prepared.root;
    return root ? resolveReportFile(root, this.outputBase, relativePath) : null;
  }

  /** The newest report files (HTML preferred, else JSON) of each kind, relative to the root. */
  private reportsOf(specId: string): { daily: string[]; weekly: string[] } {
    const root = this.shared.runtimes[0]!.prepared.root;
    const list = (kind: 'daily' | 'weekly'): string[] => {
      const dir = path.join(this.outputBase, specId, kind);
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
}
