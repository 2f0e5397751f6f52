import { closestMatch } from '../common/closest.js';
import type { MetricMapping, UnmappedPolicy } from '../config/types.js';
import type { Nfr, Objective } from '../spec/types.js';
import { baseUnitOf, canConvert, dimensionOf } from '../units/index.js';
import type { Unit } from '../units/types.js';
import type { Unmonitored, UnmonitoredKind } from './types.js';

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

/** A mapping no NFR uses whose name is close to an NFR that has no query: almost surely a typo. */
export interface MisnamedMapping {
  mapping: MetricMapping;
  /** The unmapped NFR's metric name it most likely meant. */
  nfrMetric: string;
  specLine: number;
}

export interface Plan {
  checks: Check[];
  unmonitored: Unmonitored[];
  unitMismatches: UnitMismatch[];
  /** Mappings that no NFR of the spec uses (often a typo in a name). */
  unusedMappings: MetricMapping[];
  /** The unused mappings that are near the name of an unmapped NFR (a configuration error). */
  misnamedMappings: MisnamedMapping[];
  /** Names in `unmapped.ignore` that are no NFR metric of the spec. */
  unknownIgnoredNames: string[];
}

const DEGRADE_UNMAPPED: UnmappedPolicy = { default: 'degrade', ignore: [] };

/** Joins the spec's NFRs with the observability mappings by metric name. Pure. */
export function planChecks(
  nfrs: readonly Nfr[],
  mappings: readonly MetricMapping[],
  unmappedPolicy: UnmappedPolicy = DEGRADE_UNMAPPED,
): Plan {
  const byName = new Map(mappings.map((m) => [m.name, m]));
  const used = new Set<string>();
  const plan: Plan = {
    checks: [],
    unmonitored: [],
    unitMismatches: [],
    unusedMappings: [],
    misnamedMappings: [],
    unknownIgnoredNames: [],
  };
  // Sets, not scans: a spec of 10,000 NFRs would otherwise compare 10^8 pairs.
  const nfrMetrics = new Set(nfrs.map((n) => n.metric));
  const unusedNames = mappings.filter((m) => !nfrMetrics.has(m.name)).map((m) => m.name);

  for (const nfr of nfrs) {
    const mapping = byName.get(nfr.metric);
    if (mapping) used.add(mapping.name);
    if (!nfr.objective) {
      plan.unmonitored.push(
        unmonitored(nfr, 'no_numeric_target', nfr.unmonitorableReason ?? 'no numeric target'),
      );
      continue;
    }
    if (!mapping) {
      const near = closestMatch(nfr.metric, unusedNames);
      const ignored = unmappedPolicy.default === 'ignore' || unmappedPolicy.ignore.includes(nfr.metric);
      plan.unmonitored.push(
        unmonitored(
          nfr,
          ignored ? 'unmapped_ignored' : 'unmapped',
          `no query mapped to metric "${nfr.metric}" in observability.yaml` +
            (near ? ` (did you mean "${near}"?)` : '') +
            (ignored
              ? '; excused by `unmapped: ignore`'
              : '; not measured, so the status is degraded (map it, or excuse it with `unmapped: ignore`)'),
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
  const unmappedNfrs = plan.unmonitored.filter((u) => u.kind !== 'no_numeric_target');
  for (const mapping of plan.unusedMappings) {
    const near = closestMatch(
      mapping.name,
      unmappedNfrs.map((u) => u.metric),
    );
    const nfr = unmappedNfrs.find((u) => u.metric === near);
    if (nfr) plan.misnamedMappings.push({ mapping, nfrMetric: nfr.metric, specLine: nfr.line });
  }
  plan.unknownIgnoredNames = unmappedPolicy.ignore.filter((name) => !nfrMetrics.has(name));
  return plan;
}

function unmonitored(nfr: Nfr, kind: UnmonitoredKind, reason: string): Unmonitored {
  return {
    kind,
    metric: nfr.metric,
    requirement: nfr.requirement,
    target: nfr.target,
    line: nfr.line,
    reason,
  };
}
