import { closestMatch } from '../../common/closest.js';
import { planChecks } from '../../evaluate/plan.js';
import { deriveObjective, percentileFraction, targetOf } from '../../slo/objective.js';
import { atWindow, sliQueryTemplate } from '../../slo/sli.js';
import { defaultBurnRateRules, sloWindow } from '../../slo/window.js';
import type { Nfr, Objective } from '../../spec/types.js';
import { dimensionOf } from '../../units/index.js';
import type {
  ConfigDiagnostic,
  MetricMapping,
  ObservabilityConfig,
  SliConfig,
  SloAlertingConfig,
} from '../types.js';
import type { ImportedIndicator, ImportedSlo, ImportLocation } from './types.js';

/** The range of the instant query made from an imported SLI (the window templates' usual 5m). */
const INSTANT_RANGE = '5m';
const LOWER_IS_BETTER = new Set(['<', '<=']);
const OP_LOWER: Readonly<Record<string, boolean>> = { lt: true, lte: true, gt: false, gte: false };

function diagnostic(
  severity: ConfigDiagnostic['severity'],
  at: ImportLocation,
  message: string,
  hint: string | null,
): ConfigDiagnostic {
  return { severity, file: at.file, line: at.line, column: at.column, field: '', message, hint };
}

/** How a file is named in messages (relative to the workspace root). */
type Show = (file: string) => string;

/** A counter query as a template (bare selectors wrapped in `sum(rate(…[{{.window}}]))`). */
function template(query: string): string {
  return sliQueryTemplate(query) ?? query;
}

function badOf(indicator: Extract<ImportedIndicator, { kind: 'events' }>): string {
  return indicator.bad !== null
    ? template(indicator.bad)
    : `(${template(indicator.total)}) - (${template(indicator.good ?? '')})`;
}

function sliOf(indicator: ImportedIndicator): SliConfig | undefined {
  if (indicator.kind !== 'events') return undefined;
  return indicator.good !== null
    ? { good: indicator.good, total: indicator.total }
    : { bad: indicator.bad ?? '', total: indicator.total };
}

/**
 * `sum(rate(X_bucket{…,le="v"}[{{.window}}]))` (the good query written for a latency SLO) back to the
 * instant percentile `histogram_quantile(q, sum by (le) (rate(X_bucket{…}[5m])))`; null for other shapes.
 */
function histogramQueryOf(good: string, quantile: number): string | null {
  const match = /^sum\(rate\(([A-Za-z_:][\w:]*)_bucket\{(.*)\}\[\{\{\.window\}\}\]\)\)$/.exec(
    good.replace(/\s+/g, ''),
  );
  if (!match) return null;
  const matchers = (match[2] ?? '')
    .split(/,(?=[A-Za-z_]\w*(?:=|!=|=~|!~))/)
    .filter((text) => text !== '' && !/^le(?:=|!=|=~|!~)/.test(text));
  const selector = `${match[1]}_bucket${matchers.length > 0 ? `{${matchers.join(',')}}` : ''}`;
  return `histogram_quantile(${quantile}, sum by (le) (rate(${selector}[${INSTANT_RANGE}])))`;
}

/** The query giving the NFR's instant value from an imported SLI, or why there is none. */
function instantQueryOf(
  indicator: ImportedIndicator,
  nfr: Nfr & { objective: Objective },
): { query: string } | { reason: string } {
  const { objective } = nfr;
  const lowerIsBetter = LOWER_IS_BETTER.has(objective.comparator);
  const dimension = dimensionOf(objective.unit);
  const at = (query: string) => atWindow(template(query), INSTANT_RANGE);
  if (indicator.kind === 'threshold') return { query: indicator.query };
  if (dimension === 'ratio') {
    if (indicator.kind === 'raw') {
      const query = atWindow(indicator.query, INSTANT_RANGE);
      // The NFR's value is the bad share for `error rate < x`, the good share for `uptime > x`.
      return { query: (indicator.share === 'bad') === lowerIsBetter ? query : `1 - (${query})` };
    }
    if (!lowerIsBetter && indicator.good !== null)
      return { query: `(${at(indicator.good)}) / (${at(indicator.total)})` };
    const ratio = `(${atWindow(badOf(indicator), INSTANT_RANGE)}) / (${at(indicator.total)})`;
    return { query: lowerIsBetter ? ratio : `1 - (${ratio})` };
  }
  const quantile = percentileFraction(objective.percentile);
  if (
    dimension === 'duration' &&
    quantile !== null &&
    lowerIsBetter &&
    indicator.kind === 'events' &&
    indicator.good !== null
  ) {
    const query = histogramQueryOf(indicator.good, quantile);
    if (query) return { query };
  }
  return {
    reason: `the SLO counts events, but the NFR's value (a ${dimension}) cannot be read from its queries: add a \`metrics:\` entry named \`${nfr.metric}\` with the query that measures it`,
  };
}

/** Sloth's `page_alert`/`ticket_alert` `disable: true`, as the model's burn-rate settings. */
function sloAlertingOf(slo: ImportedSlo, config: ObservabilityConfig): SloAlertingConfig | undefined {
  if (slo.disabledSeverities.length === 0) return undefined;
  if (slo.disabledSeverities.length === 2) return { mode: 'threshold' };
  const window = sloWindow(slo.objective.window ?? config.objective?.window);
  return {
    burnRateRules: defaultBurnRateRules(window).filter(
      (rule) => !slo.disabledSeverities.includes(rule.severity),
    ),
  };
}

function providerOf(slo: ImportedSlo, config: ObservabilityConfig): { provider: string } | ConfigDiagnostic {
  const names = Object.keys(config.providers);
  if (slo.providerRef !== null) {
    const named = config.providers[slo.providerRef];
    if (named?.type === slo.providerType) return { provider: slo.providerRef };
    if (!named) {
      // A metricSourceRef may name an OpenSLO DataSource that observability.yaml does not know: use the default.
      const guess = closestMatch(slo.providerRef, names);
      if (guess) {
        return diagnostic(
          'error',
          slo.indicatorLocation,
          `${slo.title}: metricSourceRef \`${slo.providerRef}\` names no provider of observability.yaml`,
          `did you mean \`${guess}\`?`,
        );
      }
    }
  }
  const fallback = config.providers[config.defaultProvider];
  if (fallback?.type === slo.providerType) return { provider: config.defaultProvider };
  const ofType = names.filter((name) => config.providers[name]?.type === slo.providerType);
  if (ofType.length === 1 && ofType[0]) return { provider: ofType[0] };
  return diagnostic(
    'error',
    slo.indicatorLocation,
    ofType.length === 0
      ? `${slo.title} is measured by ${slo.providerType}, and observability.yaml has no ${slo.providerType} provider`
      : `${slo.title} is measured by ${slo.providerType}, and observability.yaml has several: ${ofType.join(', ')}`,
    ofType.length === 0
      ? `add a ${slo.providerType} provider to observability.yaml (top-level \`provider: ${slo.providerType}\`, or under \`providers:\`); the SLO source carries no connection`
      : 'name one with `metricSourceRef: <provider>` in the metricSource, or make it the top-level provider',
  );
}

function normalized(query: string): string {
  return template(query).replace(/\s+/g, '');
}

/** Where the imported SLO and the observability.yaml mapping of the same NFR disagree. */
function conflictsOf(
  slo: ImportedSlo,
  mapping: MetricMapping,
  nfr: Nfr & { objective: Objective },
  config: ObservabilityConfig,
  show: Show,
): ConfigDiagnostic[] {
  const problems: ConfigDiagnostic[] = [];
  const there = `${show(config.file)}:${mapping.line}`;
  const hint = `map \`${nfr.metric}\` in one place: remove the SLO or the \`metrics:\` entry at ${there}, or make them agree`;
  const conflict = (at: ImportLocation, what: string) =>
    problems.push(
      diagnostic(
        'error',
        at,
        `${slo.title}: \`${nfr.metric}\` is also mapped in observability.yaml (line ${mapping.line}) with ${what}`,
        hint,
      ),
    );
  const targetHere = slo.objective.target;
  const targetThere = mapping.objective?.target ?? config.objective?.target ?? targetOf(nfr.objective).target;
  if (targetHere !== undefined && targetThere !== null && Math.abs(targetHere - targetThere) > 1e-9) {
    conflict(slo.targetLocation, `another target: ${targetThere} there, ${targetHere} here`);
  }
  for (const key of ['window', 'budgeting'] as const) {
    const here = slo.objective[key];
    const stated = mapping.objective?.[key];
    if (here !== undefined && stated !== undefined && here !== stated) {
      conflict(slo.location, `another ${key}: ${stated} there, ${here} here`);
    }
  }
  const { indicator } = slo;
  if (indicator.kind === 'threshold' && normalized(indicator.query) !== normalized(mapping.query)) {
    conflict(slo.indicatorLocation, `another query: \`${mapping.query}\` there, \`${indicator.query}\` here`);
  }
  if (indicator.kind === 'events') {
    const check = planChecks([nfr], [mapping], config.unmapped).checks[0];
    const providerType = config.providers[mapping.provider]?.type ?? 'unknown';
    const derived = check
      ? deriveObjective({
          check,
          providerType,
          defaults: config.objective ? { objective: config.objective } : {},
        })
      : null;
    const sli = derived?.sli ?? null;
    if (
      sli &&
      (normalized(sli.bad) !== normalized(badOf(indicator)) ||
        normalized(sli.total) !== normalized(indicator.total))
    ) {
      conflict(
        slo.indicatorLocation,
        `other SLI queries: bad \`${sli.bad}\` over \`${sli.total}\` there, \`${badOf(indicator)}\` over \`${indicator.total}\` here`,
      );
    }
  }
  return problems;
}

export interface JoinResult {
  metrics: MetricMapping[];
  diagnostics: ConfigDiagnostic[];
}

/**
 * Joins imported SLOs to the spec's NFRs by metric name and merges them into the mappings: an NFR mapped
 * only by an SLO gets a mapping made from it; one mapped in both keeps observability.yaml's query and
 * gains what the SLO states, unless the two disagree (an error). Pure.
 */
export function joinImportedSlos(
  config: ObservabilityConfig,
  nfrs: readonly Nfr[],
  specId: string,
  slos: readonly ImportedSlo[],
  show: Show = (file) => file,
): JoinResult {
  const diagnostics: ConfigDiagnostic[] = [];
  const metrics = [...config.metrics];
  const joined = new Map<string, ImportedSlo>();
  const nfrNames = nfrs.map((nfr) => nfr.metric);
  for (const slo of slos) {
    // A source may hold the SLOs of many specs (`rules --all`); those labelled for another are not ours.
    if (slo.specId !== null && slo.specId !== specId) continue;
    const nfr = nfrs.find((candidate) => candidate.metric === slo.metric);
    if (!nfr) {
      const guess = closestMatch(slo.metric, nfrNames);
      diagnostics.push(
        diagnostic(
          'warning',
          slo.location,
          `${slo.title} joins no NFR of ${specId}: no NFR has the metric \`${slo.metric}\` (its ${slo.joinedBy === 'label' ? '`labels.metric`' : 'name'})`,
          guess
            ? `did you mean \`${guess}\`? Set \`labels.metric\` to the Metric column of spec.md`
            : `set \`labels.metric\` to one of ${nfrNames.join(', ')}, or label the SLO with the \`spec_id\` it belongs to`,
        ),
      );
      continue;
    }
    const earlier = joined.get(slo.metric);
    if (earlier) {
      diagnostics.push(
        diagnostic(
          'error',
          slo.location,
          `${slo.title} maps \`${slo.metric}\`, which ${earlier.title} at ${show(earlier.location.file)}:${earlier.location.line}:${earlier.location.column} already maps`,
          'keep one SLO per NFR metric',
        ),
      );
      continue;
    }
    joined.set(slo.metric, slo);
    if (!nfr.objective) {
      diagnostics.push(
        diagnostic(
          'warning',
          slo.location,
          `${slo.title}: NFR \`${nfr.metric}\` has no numeric target, so it is not monitored`,
          nfr.unmonitorableReason,
        ),
      );
      continue;
    }
    const objective = nfr.objective;
    if (
      slo.indicator.kind === 'threshold' &&
      slo.indicator.op !== null &&
      OP_LOWER[slo.indicator.op] !== LOWER_IS_BETTER.has(objective.comparator)
    ) {
      diagnostics.push(
        diagnostic(
          'warning',
          slo.targetLocation,
          `${slo.title}: op \`${slo.indicator.op}\` points the other way from the NFR's \`${objective.comparator}\`; the NFR of spec.md decides which slices are good`,
          'make the op agree with the NFR (lt/lte for `<`, gt/gte for `>`)',
        ),
      );
    }
    const sloAlerting = sloAlertingOf(slo, config);
    const index = metrics.findIndex((mapping) => mapping.name === slo.metric);
    const existing = metrics[index];
    if (existing) {
      const conflicts = conflictsOf(slo, existing, { ...nfr, objective }, config, show);
      diagnostics.push(...conflicts);
      if (conflicts.length > 0) continue;
      const sli = existing.sli ?? sliOf(slo.indicator);
      metrics[index] = {
        ...existing,
        objective: { ...slo.objective, ...existing.objective },
        ...(sli ? { sli } : {}),
        ...((existing.sloAlerting ?? sloAlerting)
          ? { sloAlerting: existing.sloAlerting ?? sloAlerting }
          : {}),
        ...((existing.runbookUrl ?? slo.runbookUrl)
          ? { runbookUrl: existing.runbookUrl ?? slo.runbookUrl }
          : {}),
        importedFrom: slo.location,
      };
      continue;
    }
    const provider = providerOf(slo, config);
    if ('severity' in provider) {
      diagnostics.push(provider);
      continue;
    }
    const instant = instantQueryOf(slo.indicator, { ...nfr, objective });
    if ('reason' in instant) {
      diagnostics.push(diagnostic('warning', slo.location, `${slo.title}: ${instant.reason}`, null));
      continue;
    }
    const sli = sliOf(slo.indicator);
    metrics.push({
      name: nfr.metric,
      query: instant.query,
      provider: provider.provider,
      unit: null,
      reduce: null,
      lookbackSeconds: null,
      alerting: {},
      objective: { ...slo.objective },
      ...(sli ? { sli } : {}),
      ...(sloAlerting ? { sloAlerting } : {}),
      ...(slo.runbookUrl ? { runbookUrl: slo.runbookUrl } : {}),
      line: slo.location.line,
      importedFrom: slo.location,
    });
  }
  return { metrics, diagnostics };
}
