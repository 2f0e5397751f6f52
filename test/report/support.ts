import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricMapping } from '../../src/config/types.js';
import type { Check } from '../../src/evaluate/index.js';
import { planChecks } from '../../src/evaluate/index.js';
import type { HistoryQuery } from '../../src/report/period/index.js';
import { parseNfrs } from '../../src/spec/index.js';
import type { MeasurementRow } from '../../src/store/index.js';
import type { Unit } from '../../src/units/types.js';

/** Default severity rules (as config/vocabulary.ts): ≥ +100% SEV-1, ≥ +50% SEV-2, ≥ +10% SEV-3. */
export const SEVERITY_RULES = [
  { minOvershoot: 1.0, categories: [], severity: 'SEV-1' as const },
  { minOvershoot: 0.5, categories: [], severity: 'SEV-2' as const },
  { minOvershoot: 0.1, categories: [], severity: 'SEV-3' as const },
];

export interface MetricSpec {
  category: string;
  requirement: string;
  metric: string;
  target: string;
  query: string;
  unit?: Unit;
  provider?: string;
}

/** Checks planned the real way: a spec NFR table parsed by src/spec, joined with mappings by src/evaluate. */
export function checksFor(metrics: readonly MetricSpec[]): Check[] {
  const table = [
    '### Non-Functional Requirements',
    '',
    '| Category | Requirement | Metric | Target |',
    '|---|---|---|---|',
    ...metrics.map((m) => `| ${m.category} | ${m.requirement} | \`${m.metric}\` | ${m.target} |`),
    '',
  ].join('\n');
  const { nfrs } = parseNfrs(table);
  const mappings: MetricMapping[] = metrics.map((m, i) => ({
    name: m.metric,
    query: m.query,
    provider: m.provider ?? 'prom',
    unit: m.unit ?? null,
    reduce: null,
    lookbackSeconds: null,
    alerting: {},
    line: i + 1,
  }));
  const plan = planChecks(nfrs, mappings);
  if (plan.checks.length !== metrics.length) {
    throw new Error(`planned ${plan.checks.length} of ${metrics.length} checks: ${JSON.stringify(plan)}`);
  }
  return plan.checks;
}

/** An in-memory history (what Store.measurements returns), filtered like the store: from <= at < to. */
export function memoryHistory(rows: readonly MeasurementRow[]) {
  return (query: HistoryQuery): MeasurementRow[] =>
    rows.filter(
      (r) =>
        r.specId === query.specId &&
        r.metric === query.metric &&
        r.at.getTime() >= query.from.getTime() &&
        r.at.getTime() < query.to.getTime(),
    );
}

export function row(
  specId: string,
  metric: string,
  at: number,
  value: number | null,
  slo = 0,
): MeasurementRow {
  return {
    at: new Date(at),
    specId,
    metric,
    value,
    slo,
    status: value === null ? 'unknown' : 'healthy',
    reason: value === null ? 'no data' : `${value}`,
  };
}

/** Temp folders removed by `cleanup`. */
export function tempDirs() {
  const made: string[] = [];
  return {
    make(prefix = 'ssm-report-'): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    cleanup(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
