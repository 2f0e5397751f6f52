import { tidy } from '../../slo/budget.js';
import { WINDOW_PLACEHOLDER, windowTemplateOf } from '../../slo/sli.js';
import type { BudgetingMethod, ObjectiveConfig, SloWindowName } from '../types.js';
import { parseDurationSeconds } from '../vocabulary.js';
import type { FieldPath } from '../yaml-source.js';
import { isRecord, labelValue, locationOf, valueAt, type YamlDocument } from './documents.js';
import type { ImportedIndicator, ImportedSlo } from './types.js';

export const OPENSLO_API_VERSION = 'openslo/v1';
/** Kinds of OpenSLO v1 this reads, and the ones it knows but has no use for (skipped with a warning). */
const READ_KINDS = ['SLO', 'SLI'];
const SKIPPED_KINDS = ['Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'];
/** Metric sources per indicator type: only PromQL counts events; Datadog is judged per slice. */
const RATIO_SOURCES = ['Prometheus'];
const THRESHOLD_SOURCES = ['Prometheus', 'Datadog'];
const OPS = ['lt', 'lte', 'gt', 'gte'];

const DAY = 86_400;
const ROLLING_WINDOWS: Readonly<Record<number, SloWindowName>> = {
  [7 * DAY]: '7d',
  [28 * DAY]: '28d',
  [30 * DAY]: '30d',
};
const OPENSLO_UNITS: Readonly<Record<string, number>> = { m: 60, h: 3600, d: DAY, w: 7 * DAY };

/** Every `kind: SLI` of all the sources, by `metadata.name`, for `indicatorRef`. */
export type SliIndex = Map<string, { document: YamlDocument; path: FieldPath }>;

export function isOpenSlo(value: unknown): boolean {
  return isRecord(value) && typeof value.apiVersion === 'string' && value.apiVersion.startsWith('openslo/');
}

/** Checks the kind and version of an OpenSLO document; true when it is an SLO or SLI this reads. */
export function checkOpenSloKind(document: YamlDocument): 'SLO' | 'SLI' | null {
  const value = document.value as Record<string, unknown>;
  if (value.apiVersion !== OPENSLO_API_VERSION) {
    document.sink.error(
      ['apiVersion'],
      `OpenSLO ${String(value.apiVersion)} is not read; only \`${OPENSLO_API_VERSION}\``,
      'convert the document to OpenSLO v1 (`oslo convert` does it for v1alpha)',
    );
    return null;
  }
  const kind = value.kind;
  if (kind === 'SLO' || kind === 'SLI') return kind;
  if (typeof kind === 'string' && SKIPPED_KINDS.includes(kind)) {
    document.sink.warning(
      ['kind'],
      `OpenSLO kind \`${kind}\` is not used here; skipped`,
      'the provider connection comes from observability.yaml; only SLO and SLI documents map NFRs',
    );
    return null;
  }
  document.sink.error(
    ['kind'],
    `unknown OpenSLO kind ${kind === undefined ? '(missing)' : `\`${String(kind)}\``}`,
    `the kinds read are ${READ_KINDS.join(' and ')}; others of OpenSLO v1 (${SKIPPED_KINDS.join(', ')}) are skipped`,
  );
  return null;
}

export function indexSlis(documents: readonly YamlDocument[]): SliIndex {
  const index: SliIndex = new Map();
  for (const document of documents) {
    const name = valueAt(document.value, ['metadata', 'name']);
    if (typeof name !== 'string' || name === '') {
      document.sink.error(
        ['metadata'],
        'an SLI needs `metadata.name`',
        'SLOs refer to it by `indicatorRef: <name>`',
      );
      continue;
    }
    const earlier = index.get(name);
    if (earlier) {
      const at = locationOf(earlier.document, earlier.path);
      document.sink.error(
        ['metadata', 'name'],
        `SLI \`${name}\` is defined twice (first at ${at.file}:${at.line})`,
        'give each SLI its own name',
      );
      continue;
    }
    index.set(name, { document, path: ['spec'] });
  }
  return index;
}

function sourceType(type: unknown): string | null {
  return typeof type === 'string' ? type : null;
}

/** One metricSource: its query and type, checked against the supported ones; null after an error. */
function metricQuery(
  document: YamlDocument,
  path: FieldPath,
  supported: readonly string[],
  what: string,
): { query: string; type: string; ref: string | null } | null {
  const source = valueAt(document.value, [...path, 'metricSource']);
  if (!isRecord(source)) {
    document.sink.error(path, `${what} needs \`metricSource: {type: Prometheus, spec: {query: …}}\``);
    return null;
  }
  const type = sourceType(source.type);
  const known = supported.find((name) => name.toLowerCase() === type?.toLowerCase());
  if (!known) {
    document.sink.error(
      [...path, 'metricSource', 'type'],
      `metric source ${type === null ? '(no type)' : `\`${type}\``} is not supported for ${what}`,
      `supported here: ${supported.join(', ')} (the monitor queries Prometheus-compatible backends and Datadog)`,
    );
    return null;
  }
  const query = valueAt(source, ['spec', 'query']);
  if (typeof query !== 'string' || query.trim() === '') {
    document.sink.error([...path, 'metricSource', 'spec'], `${what} needs \`spec.query\``, null);
    return null;
  }
  const ref = typeof source.metricSourceRef === 'string' ? source.metricSourceRef : null;
  return { query: query.trim(), type: known.toLowerCase(), ref };
}

/**
 * A counter query as a window template: kept when it has `{{.window}}` or is a counter (`counter: true`,
 * a bare selector is wrapped later); a fixed range (`[5m]`) inside rate()/increase() becomes the window.
 */
function counterQuery(query: string, counter: boolean): string | null {
  if (query.includes(WINDOW_PLACEHOLDER) || counter) return query;
  return windowTemplateOf(query);
}

function indicatorOf(
  document: YamlDocument,
  path: FieldPath,
): { indicator: ImportedIndicator; type: string; ref: string | null } | null {
  const spec = valueAt(document.value, path);
  if (!isRecord(spec)) {
    document.sink.error(path, 'the SLI has no `spec`', 'give `ratioMetric` or `thresholdMetric`');
    return null;
  }
  if (isRecord(spec.thresholdMetric)) {
    const metric = metricQuery(
      document,
      [...path, 'thresholdMetric'],
      THRESHOLD_SOURCES,
      'a thresholdMetric',
    );
    if (!metric) return null;
    return {
      indicator: { kind: 'threshold', query: metric.query, op: null, value: null },
      type: metric.type,
      ref: metric.ref,
    };
  }
  if (!isRecord(spec.ratioMetric)) {
    document.sink.error(
      path,
      'the SLI has neither `ratioMetric` nor `thresholdMetric`',
      'the indicator types read are ratioMetric (good or bad over total, or raw) and thresholdMetric',
    );
    return null;
  }
  const ratioPath = [...path, 'ratioMetric'];
  const ratio = spec.ratioMetric;
  if (ratio.raw !== undefined) {
    const raw = metricQuery(document, [...ratioPath, 'raw'], RATIO_SOURCES, 'a raw ratioMetric');
    if (!raw) return null;
    const share = ratio.rawType === 'success' ? 'good' : ratio.rawType === 'failure' ? 'bad' : null;
    if (share === null) {
      document.sink.error(
        [...ratioPath, 'rawType'],
        'a raw ratioMetric needs `rawType: success` or `rawType: failure`',
      );
      return null;
    }
    return { indicator: { kind: 'raw', share, query: raw.query }, type: raw.type, ref: raw.ref };
  }
  const counted = ratio.good !== undefined ? 'good' : ratio.bad !== undefined ? 'bad' : null;
  if (counted === null || ratio.total === undefined) {
    document.sink.error(
      ratioPath,
      'a ratioMetric needs `good` or `bad`, and `total` (or `raw` with `rawType`)',
      'e.g. `good: {metricSource: {type: Prometheus, spec: {query: …}}}` and `total:` alike',
    );
    return null;
  }
  const part = metricQuery(document, [...ratioPath, counted], RATIO_SOURCES, `ratioMetric.${counted}`);
  const total = metricQuery(document, [...ratioPath, 'total'], RATIO_SOURCES, 'ratioMetric.total');
  if (!part || !total) return null;
  const counter = ratio.counter === true;
  const partTemplate = counterQuery(part.query, counter);
  const totalTemplate = counterQuery(total.query, counter);
  if (partTemplate === null || totalTemplate === null) {
    // No rate range to put the window in: the ratio is still a value, judged per time slice.
    document.sink.warning(
      [...ratioPath, partTemplate === null ? counted : 'total', 'metricSource', 'spec', 'query'],
      'the query is not a sum of rate()/increase() with a range, so it cannot be counted over the SLO window; the ratio is judged per time slice',
      'write the counters as `sum(rate(<counter>[5m]))`, or with `{{.window}}` as the range, or set `counter: true` with bare counter selectors',
    );
    return {
      indicator: { kind: 'raw', share: counted, query: `(${part.query}) / (${total.query})` },
      type: part.type,
      ref: part.ref,
    };
  }
  return {
    indicator: {
      kind: 'events',
      good: counted === 'good' ? partTemplate : null,
      bad: counted === 'bad' ? partTemplate : null,
      total: totalTemplate,
    },
    type: part.type,
    ref: part.ref ?? total.ref,
  };
}

function windowOf(document: YamlDocument, path: FieldPath): SloWindowName | null | undefined {
  const windows = valueAt(document.value, path);
  if (windows === undefined) return undefined;
  const entry = Array.isArray(windows) ? windows[0] : undefined;
  if (!Array.isArray(windows) || windows.length !== 1 || !isRecord(entry)) {
    document.sink.error(
      path,
      '`timeWindow` must be a list of one window',
      'e.g. `timeWindow: [{duration: 30d, isRolling: true}]`',
    );
    return null;
  }
  const duration = typeof entry.duration === 'string' ? entry.duration.trim() : '';
  const match = /^(\d+)([mhdwMQY])$/.exec(duration);
  const rolling = entry.isRolling === true || (entry.isRolling === undefined && entry.calendar === undefined);
  const supported = 'supported: rolling 7d, 28d or 30d (also 1w, 4w), or calendar 1M (month) or 1w (week)';
  if (match) {
    const count = Number(match[1]);
    const unit = match[2] ?? '';
    if (rolling && unit in OPENSLO_UNITS) {
      const name = ROLLING_WINDOWS[count * (OPENSLO_UNITS[unit] ?? 0)];
      if (name) return name;
    }
    if (!rolling && count === 1 && unit === 'M') return 'month';
    if (!rolling && ((count === 1 && unit === 'w') || (count === 7 && unit === 'd'))) return 'week';
  }
  document.sink.error(
    [...path, 0, 'duration'],
    `window \`${duration || '(none)'}\`${rolling ? ' rolling' : ' calendar'} is not supported`,
    supported,
  );
  return null;
}

function budgetingOf(document: YamlDocument, path: FieldPath): BudgetingMethod | null | undefined {
  const method = valueAt(document.value, path);
  if (method === undefined) return undefined;
  if (method === 'Occurrences') return 'occurrences';
  if (method === 'Timeslices') return 'timeslices';
  document.sink.error(
    path,
    `budgetingMethod ${JSON.stringify(method)} is not supported`,
    'use Occurrences (good/total events) or Timeslices (share of good time slices)',
  );
  return null;
}

/** The one objective's target (0–1), op/value and slice; null after an error. */
function objectiveEntryOf(
  document: YamlDocument,
  path: FieldPath,
): { target: number; op: string | null; value: number | null; sliceSeconds: number | null } | null {
  const objectives = valueAt(document.value, path);
  if (!Array.isArray(objectives) || objectives.length === 0) {
    document.sink.error(path, 'the SLO has no `objectives`', 'e.g. `objectives: [{target: 0.999}]`');
    return null;
  }
  if (objectives.length > 1) {
    document.sink.error(
      [...path, 1],
      'an SLO with several objectives cannot map one NFR',
      'keep one objective per SLO; write another SLO for each further target',
    );
    return null;
  }
  const entry = objectives[0];
  const entryPath = [...path, 0];
  if (!isRecord(entry)) {
    document.sink.error(entryPath, 'an objective is a mapping with `target`');
    return null;
  }
  if (entry.indicator !== undefined || entry.indicatorRef !== undefined) {
    document.sink.error(
      entryPath,
      'composite SLOs (an indicator per objective) are not supported',
      'give the SLO one `indicator` (or `indicatorRef`) in its spec',
    );
    return null;
  }
  let target: number | null = null;
  if (typeof entry.target === 'number') {
    target = entry.target;
  } else if (typeof entry.targetPercent === 'number') {
    target = tidy(entry.targetPercent / 100);
  }
  if (target === null || !(target > 0 && target < 1)) {
    const given = entry.target ?? entry.targetPercent;
    document.sink.error(
      [
        ...entryPath,
        entry.target !== undefined
          ? 'target'
          : entry.targetPercent !== undefined
            ? 'targetPercent'
            : 'target',
      ],
      given === undefined
        ? 'the objective has no `target`'
        : `target ${JSON.stringify(given)} is not a share of good`,
      '`target` is a fraction between 0 and 1 (0.999), `targetPercent` a percentage (99.9)',
    );
    return null;
  }
  let op: string | null = null;
  if (entry.op !== undefined) {
    if (typeof entry.op !== 'string' || !OPS.includes(entry.op)) {
      document.sink.error(
        [...entryPath, 'op'],
        `unknown op ${JSON.stringify(entry.op)}`,
        `one of ${OPS.join(', ')}`,
      );
      return null;
    }
    op = entry.op;
  }
  let sliceSeconds: number | null = null;
  if (entry.timeSliceWindow !== undefined) {
    const seconds =
      typeof entry.timeSliceWindow === 'string' || typeof entry.timeSliceWindow === 'number'
        ? parseDurationSeconds(entry.timeSliceWindow)
        : null;
    if (seconds === null || seconds <= 0) {
      document.sink.error([...entryPath, 'timeSliceWindow'], 'expected a duration such as 1m or 5m');
      return null;
    }
    sliceSeconds = seconds;
  }
  if (entry.timeSliceTarget !== undefined) {
    document.sink.warning(
      [...entryPath, 'timeSliceTarget'],
      '`timeSliceTarget` is not used: a slice is good when the query meets the NFR of spec.md',
      null,
      { key: true },
    );
  }
  return { target, op, value: typeof entry.value === 'number' ? entry.value : null, sliceSeconds };
}

/** An OpenSLO v1 `SLO` document as an imported SLO; null (with diagnostics) when it cannot map an NFR. */
export function readOpenSlo(document: YamlDocument, slis: SliIndex): ImportedSlo | null {
  const name = valueAt(document.value, ['metadata', 'name']);
  if (typeof name !== 'string' || name === '') {
    document.sink.error(['metadata'], 'an SLO needs `metadata.name`');
    return null;
  }
  const labels = valueAt(document.value, ['metadata', 'labels']);
  const metricLabel = labelValue(isRecord(labels) ? labels.metric : undefined);
  const specLabel = labelValue(isRecord(labels) ? labels.spec_id : undefined);
  if (metricLabel !== null && typeof metricLabel === 'object') {
    document.sink.error(
      ['metadata', 'labels', 'metric'],
      `the SLO names several metrics (${metricLabel.many.join(', ')}); it can map one NFR`,
      'give one value in `labels.metric`',
    );
    return null;
  }
  let indicatorPath: FieldPath = ['spec', 'indicator', 'spec'];
  let indicatorDocument = document;
  const ref = valueAt(document.value, ['spec', 'indicatorRef']);
  if (typeof ref === 'string') {
    const found = slis.get(ref);
    if (!found) {
      document.sink.error(
        ['spec', 'indicatorRef'],
        `no SLI named \`${ref}\` in the SLO sources`,
        slis.size > 0
          ? `known SLIs: ${[...slis.keys()].join(', ')}`
          : 'add a `kind: SLI` document, or put the SLI inline under `indicator:`',
      );
      return null;
    }
    indicatorDocument = found.document;
    indicatorPath = found.path;
  } else if (!isRecord(valueAt(document.value, ['spec', 'indicator']))) {
    document.sink.error(
      ['spec'],
      'the SLO has no `indicator` or `indicatorRef`',
      'give the SLI inline under `indicator:` or name a `kind: SLI` document',
    );
    return null;
  }
  const indicator = indicatorOf(indicatorDocument, indicatorPath);
  const window = windowOf(document, ['spec', 'timeWindow']);
  const budgeting = budgetingOf(document, ['spec', 'budgetingMethod']);
  const entry = objectiveEntryOf(document, ['spec', 'objectives']);
  if (!indicator || window === null || budgeting === null || !entry) return null;

  const objective: ObjectiveConfig = { target: entry.target };
  if (window !== undefined) objective.window = window;
  if (budgeting !== undefined) objective.budgeting = budgeting;
  if (entry.sliceSeconds !== null) objective.sliceSeconds = entry.sliceSeconds;
  const measured =
    indicator.indicator.kind === 'threshold'
      ? { ...indicator.indicator, op: entry.op, value: entry.value }
      : indicator.indicator;
  return {
    format: 'openslo',
    metric: metricLabel ?? name,
    joinedBy: metricLabel !== null ? 'label' : 'name',
    specId: typeof specLabel === 'string' ? specLabel : null,
    title: `OpenSLO SLO \`${name}\``,
    location: locationOf(document, []),
    indicatorLocation: locationOf(indicatorDocument, indicatorPath),
    targetLocation: locationOf(document, ['spec', 'objectives', 0]),
    indicator: measured,
    objective,
    disabledSeverities: [],
    providerType: indicator.type,
    providerRef: indicator.ref,
  };
}
