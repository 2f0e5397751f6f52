import path from 'node:path';
import type { ConfigDiagnostic, MetricMapping } from '../config/types.js';
import type { PreparedCheck } from '../pipeline/index.js';
import { checkPromQL } from './promql.js';
import { checkSaasQueries } from './saas-queries.js';
import { queryShapeProblems } from './shapes.js';
import type { SloDerivation } from './slo.js';

export interface ValidationProblem {
  severity: 'error' | 'warning';
  /** `file:line[:col]` */
  where: string;
  message: string;
  hint: string | null;
}

export interface ValidationReport {
  specId: string;
  specFile: string;
  configFile: string;
  nfrs: {
    metric: string;
    line: number;
    target: string;
    objective: string | null;
    query: string | null;
    /** How its SLO is derived; null when the NFR is not monitored. */
    slo: SloDerivation | null;
  }[];
  problems: ValidationProblem[];
  querySyntaxChecker: string | null;
  ok: boolean;
}

/** Offline checks of a prepared (offline) check: nothing here touches the network. */
export async function validatePrepared(prepared: PreparedCheck): Promise<ValidationReport> {
  const rel = (file: string) => path.relative(prepared.root, file) || file;
  const specFile = rel(prepared.spec.specFile);
  const configFile = rel(prepared.configFile);
  const problems: ValidationProblem[] = [];

  for (const d of prepared.configDiagnostics) problems.push(fromDiagnostic(d, rel(d.file)));
  for (const u of prepared.plan.unmonitored) {
    problems.push({
      severity: 'warning',
      where: `${specFile}:${u.line}`,
      message: `${u.metric}: not monitored: ${u.reason}`,
      hint: null,
    });
  }
  if (prepared.plan.checks.length === 0) {
    // A run would measure nothing and could never say healthy.
    problems.push({
      severity: 'error',
      where: configFile,
      message: `nothing can be monitored: no NFR of ${prepared.spec.specId} with a numeric target has a query`,
      hint: 'add `metrics:` entries whose `name` is the Metric column of spec.md and whose `query` measures it',
    });
  }
  for (const m of prepared.plan.misnamedMappings) {
    problems.push({
      severity: 'error',
      where: `${configFile}:${m.mapping.line}`,
      message: `metric "${m.mapping.name}" matches no NFR, and NFR "${m.nfrMetric}" (spec line ${m.specLine}) has no query`,
      hint: `did you mean \`name: ${m.nfrMetric}\`?`,
    });
  }
  for (const name of prepared.plan.unknownIgnoredNames) {
    problems.push({
      severity: 'warning',
      where: configFile,
      message: `unmapped.ignore: "${name}" is no NFR metric of ${prepared.spec.specId}`,
      hint: 'check the spelling against the Metric column of the spec',
    });
  }
  for (const m of prepared.plan.unitMismatches) {
    problems.push({
      severity: 'error',
      where: `${configFile}:${m.mappingLine}`,
      message: `metrics "${m.metric}": unit "${m.declared}" cannot be converted to the target's unit "${m.target}" (spec line ${m.specLine})`,
      hint: 'set `unit:` to the unit of the number the query returns',
    });
  }
  for (const u of prepared.plan.unusedMappings) {
    if (prepared.plan.misnamedMappings.some((m) => m.mapping === u)) continue;
    problems.push({
      severity: 'warning',
      where: `${configFile}:${u.line}`,
      message: `metric "${u.name}" is mapped but no NFR of ${prepared.spec.specId} uses it`,
      hint: 'check the spelling against the Metric column of the spec',
    });
  }

  const promChecks = prepared.plan.checks.filter(
    (c) => prepared.config.providers[c.mapping.provider]?.type === 'prometheus',
  );
  let checker: string | null = null;
  if (promChecks.length > 0) {
    const result = await checkPromQL(promChecks.map((c) => c.mapping.query));
    checker = result.checker;
    for (const p of result.problems) {
      const check = promChecks[p.index]!;
      problems.push({
        severity: 'error',
        where: whereMapped(check.mapping, configFile, rel),
        message: `metrics "${check.mapping.name}": PromQL: ${p.message}`,
        hint: null,
      });
    }
  }
  problems.push(...queryShapeProblems(prepared, configFile));
  problems.push(...checkSaasQueries(prepared.plan.checks, prepared.config.providers, configFile));
  const queryOf = new Map(prepared.plan.checks.map((c) => [c.nfr.metric, c.mapping.query]));
  // The PromQL parser the SLO model uses loads only here.
  const slo = (await import('./slo.js')).sloDerivations(prepared);
  problems.push(...slo.problems);
  return {
    specId: prepared.spec.specId,
    specFile,
    configFile,
    nfrs: prepared.nfrs.map((n) => ({
      metric: n.metric,
      line: n.line,
      target: n.target,
      objective: n.objective
        ? `${n.objective.comparator} ${n.objective.threshold} ${n.objective.unit}`
        : null,
      query: queryOf.get(n.metric) ?? null,
      slo: slo.byMetric.get(n.metric) ?? null,
    })),
    problems,
    querySyntaxChecker: checker,
    ok: !problems.some((p) => p.severity === 'error'),
  };
}

function fromDiagnostic(d: ConfigDiagnostic, file: string): ValidationProblem {
  return {
    severity: d.severity,
    where: `${file}:${d.line}:${d.column}`,
    message: d.field ? `${d.field}: ${d.message}` : d.message,
    hint: d.hint,
  };
}

/** Where a mapping is written: its observability.yaml line, or the imported SLO (docs/slo.md#import). */
function whereMapped(mapping: MetricMapping, configFile: string, rel: (file: string) => string): string {
  const from = mapping.importedFrom;
  return from ? `${rel(from.file)}:${from.line}:${from.column}` : `${configFile}:${mapping.line}`;
}
