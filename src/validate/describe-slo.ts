import type { SloDerivation } from './slo.js';

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(10))} %`;
}

const SLI_SOURCES: Readonly<Record<string, string>> = {
  config: 'the configured counters',
  ratio_query: 'the ratio query',
  histogram: 'the histogram buckets',
  imported: 'the imported SLO',
};

/**
 * One line for `validate`: `SLO: 30d rolling, occurrences, target 99.9 % good; SLI bad/total from the
 * ratio query (observability.yaml:12)`, or why there is no target or no event SLI.
 */
export function describeSlo(slo: SloDerivation): string {
  const window = `${slo.window} ${slo.rolling ? 'rolling' : 'calendar'}`;
  const budgeting =
    slo.budgeting === 'timeslices' && slo.sliceSeconds !== null
      ? `timeslices of ${slo.sliceSeconds} s`
      : slo.budgeting;
  const target =
    slo.target !== null
      ? `target ${percent(slo.target)} good`
      : `no target (${slo.targetReason ?? 'unknown'})`;
  const sli = slo.sli
    ? `SLI ${slo.sli.good !== null ? 'good' : 'bad'}/total from ${SLI_SOURCES[slo.sli.source] ?? slo.sli.source}${slo.sli.assumption ? ` (${slo.sli.assumption.split(';')[0]})` : ''}`
    : `no event SLI: ${slo.sliReason ?? 'none'}`;
  return `SLO: ${window}, ${budgeting}, ${target}; ${sli} [${slo.mappedBy}]`;
}
