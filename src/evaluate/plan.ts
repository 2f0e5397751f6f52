import { closestMatch } from '../common/closest.js';
import type { MetricMapping } from '../config/types.js';
import type { Nfr, Objective } from '../spec/types.js';
import { baseUnitOf, canConvert, dimensionOf } from '../units/index.js';
import type { Unit } from '../units/types.js';
import type { Unmonitored } from './types.js';

/** One NFR that will be measured: its objective and the query that measures it. */
export interface Check {
  nfr: Nfr;
  objective: Objective;
  mapping: MetricMapping;
  /** Unit of the number the query returns (declared, or the base unit of the target's dimension). */
  valueUnit: Unit;
}

/** A mapping whose declared unit cannot be converted into the target's unit. */
export interface UnitMismatch {
  metric: string;
  mappingLine: number;
  specLine: number;
  declared: Unit;
  target: Unit;
}

export interface Plan {
  checks: Check[];
  unmonitored: Unmonitored[];
  unitMismatches: UnitMismatch[];
  /** Mappings that no NFR of the spec uses (often a typo in a name). */
  unusedMappings: MetricMapping[];
}

/** Joins the spec's NFRs with the observability mappings by metric name. Pure. */
export function planChecks(nfrs: readonly Nfr[], mappings: readonly MetricMapping[]): Plan {
  const byName = new Map(mappings.map((m) => [m.name, m]));
  const used = new Set<string>();
  const plan: Plan = { checks: [], unmonitored: [], unitMismatches: [], unusedMappings: [] };

  for (const nfr of nfrs) {
    const mapping = byName.get(nfr.metric);
    if (mapping) used.add(mapping.name);
    if (!nfr.objective) {
      plan.unmonitored.push(unmonitored(nfr, nfr.unmonitorableReason ?? 'no numeric target'));
      continue;
    }
    if (!mapping) {
      const near = closestMatch(
        nfr.metric,
        mappings.map((m) => m.name),
      );
      plan.unmonitored.push(
        unmonitored(
          nfr,
          `no query mapped to metric "${nfr.metric}" in observability.yaml` +
            (near ? ` (did you mean "${near}"?)` : ''),
        ),
      );
      continue;
    }
    const valueUnit = mapping.unit ?? baseUnitOf(dimensionOf(nfr.objective.unit));
    if (!canConvert(valueUnit, nfr.objective.unit)) {
      plan.unitMismatches.push({
        metric: nfr.metric,
        mappingLine: mapping.line,
        specLine: nfr.line,
        declared: valueUnit,
        target: nfr.objective.unit,
      });
      continue;
    }
    plan.checks.push({ nfr, objective: nfr.objective, mapping, valueUnit });
  }
  plan.unusedMappings = mappings.filter((m) => !used.has(m.name));
  return plan;
}

function unmonitored(nfr: Nfr, reason: string): Unmonitored {
  return { metric: nfr.metric, requirement: nfr.requirement, target: nfr.target, line: nfr.line, reason };
}
