import path from 'node:path';
import type { PreparedCheck } from '../pipeline/index.js';
import { deriveObjective } from '../slo/objective.js';
import type { SloObjective } from '../slo/types.js';
import type { ValidationProblem } from './index.js';

/** How the SLO of one monitored NFR is derived (docs/slo.md), as `validate` reports it. */
export interface SloDerivation {
  /** `30d`, `28d`, `7d` (rolling) or `month`, `week` (calendar). */
  window: string;
  rolling: boolean;
  budgeting: 'occurrences' | 'timeslices';
  /** Slice length for timeslices, else null. */
  sliceSeconds: number | null;
  /** Fraction of good, or null with `targetReason`. */
  target: number | null;
  targetReason: string | null;
  /** The event SLI, or null with `sliReason` (the NFR is judged per time slice). */
  sli: {
    /** `config` (`sli:` in observability.yaml), `imported` (an OpenSLO/Sloth SLO), `ratio_query` or `histogram`. */
    source: string;
    good: string | null;
    bad: string;
    total: string;
    assumption: string | null;
  } | null;
  sliReason: string | null;
  /** `file:line[:column]` of what maps the NFR: the observability.yaml entry or the imported SLO. */
  mappedBy: string;
}

function derivationOf(objective: SloObjective, mappedBy: string, imported: boolean): SloDerivation {
  return {
    window: objective.window.name,
    rolling: objective.window.rolling,
    budgeting: objective.budgeting,
    sliceSeconds: objective.sliceSeconds,
    target: objective.target,
    targetReason: objective.targetReason,
    sli: objective.sli
      ? {
          ...objective.sli,
          source: imported && objective.sli.source === 'config' ? 'imported' : objective.sli.source,
        }
      : null,
    sliReason: objective.sliReason,
    mappedBy,
  };
}

/**
 * The SLO derivation of every monitored NFR, and its problems: no target fraction, an `le` bucket that
 * is only assumed, `occurrences` asked for without an event SLI. Offline and pure.
 */
export function sloDerivations(prepared: PreparedCheck): {
  byMetric: Map<string, SloDerivation>;
  problems: ValidationProblem[];
} {
  const rel = (file: string) => path.relative(prepared.root, file) || file;
  const { config } = prepared;
  const defaults = {
    ...(config.objective ? { objective: config.objective } : {}),
    ...(config.sloAlerting ? { sloAlerting: config.sloAlerting } : {}),
    ...(config.runbookUrl ? { runbookUrl: config.runbookUrl } : {}),
  };
  const byMetric = new Map<string, SloDerivation>();
  const problems: ValidationProblem[] = [];
  for (const check of prepared.plan.checks) {
    const { mapping } = check;
    const providerType = config.providers[mapping.provider]?.type ?? 'unknown';
    const objective = deriveObjective({ check, providerType, defaults });
    const from = mapping.importedFrom;
    const mappedBy = from
      ? `${rel(from.file)}:${from.line}:${from.column}`
      : `${rel(config.file)}:${mapping.line}`;
    byMetric.set(mapping.name, derivationOf(objective, mappedBy, from !== undefined));
    const problem = (message: string, hint: string | null) =>
      problems.push({
        severity: 'warning',
        where: mappedBy,
        message: `${mapping.name}: SLO: ${message}`,
        hint,
      });
    if (objective.target === null) {
      problem(
        `no target fraction: ${objective.targetReason ?? 'none can be derived'}`,
        'set `objective.target` (e.g. 0.99) for this metric; until then it has no error budget and no burn-rate rules',
      );
    }
    if (objective.sli?.assumption) {
      problem(
        objective.sli.assumption,
        'check the bucket against the histogram in Prometheus, or set `sli: {le: "<bucket>"}`',
      );
    }
    if (objective.sliReason?.startsWith('budgeting: occurrences needs')) {
      problem(
        objective.sliReason,
        'give `sli: {good|bad: <query>, total: <query>}`, or set `objective.budgeting: timeslices`',
      );
    }
  }
  return { byMetric, problems };
}
