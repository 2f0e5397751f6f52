import type { ExposedSeries, Exposition } from './exposition.js';
import { parseGoFloat, seriesKey } from './exposition.js';
import { type Bucket, bucketQuantile, extrapolatedRate } from './math.js';
import type { LabelMatcher, ScrapeExpr } from './query.js';

/** One scrape: what the target exposed, and when (ms) the scrape started. */
export interface ScrapeSnapshot {
  exposition: Exposition;
  scrapedAtMs: number;
}

export type Labels = Record<string, string>;

export type ScrapeValue =
  | { kind: 'scalar'; value: number }
  | { kind: 'vector'; samples: { labels: Labels; value: number }[] };

export interface ScrapeEvaluation {
  value: ScrapeValue;
  /** Why series were left out (nothing matched, a series new in the second scrape): for no-data messages. */
  notes: string[];
  /** Prometheus' annotations, e.g. a histogram fixed for monotonicity. */
  warnings: string[];
}

/** The query cannot be answered from these scrapes (e.g. many-to-many matching): a query error. */
export class EvaluationError extends Error {}

/**
 * Evaluates a compiled query at the second scrape. Gauges read the second scrape; rate/increase see the
 * two samples of each series (exposed timestamps when both scrapes give one, else the scrape times), over
 * a window that is exactly the time between them, so Prometheus' extrapolation changes nothing.
 */
export function evaluateScrape(
  expr: ScrapeExpr,
  first: ScrapeSnapshot,
  second: ScrapeSnapshot,
): ScrapeEvaluation {
  const notes: string[] = [];
  const warnings: string[] = [];
  const regexCache = new Map<string, RegExp>();

  const matches = (series: ExposedSeries, matcher: LabelMatcher): boolean => {
    const actual =
      matcher.label === '__name__' ? series.name : (labelValue(series.labels, matcher.label) ?? '');
    switch (matcher.op) {
      case '=':
        return actual === matcher.value;
      case '!=':
        return actual !== matcher.value;
      default: {
        let regex = regexCache.get(matcher.value);
        if (!regex) {
          // PromQL regular expressions are fully anchored.
          regex = new RegExp(`^(?:${matcher.value})$`, 's');
          regexCache.set(matcher.value, regex);
        }
        return regex.test(actual) === (matcher.op === '=~');
      }
    }
  };
  const select = (snapshot: ScrapeSnapshot, matchers: LabelMatcher[]) =>
    snapshot.exposition.series.filter((series) => matchers.every((matcher) => matches(series, matcher)));

  const evaluate = (node: ScrapeExpr): ScrapeValue => {
    switch (node.kind) {
      case 'number':
        return { kind: 'scalar', value: node.value };
      case 'negate': {
        const value = evaluate(node.arg);
        return value.kind === 'scalar'
          ? { kind: 'scalar', value: -value.value }
          : {
              kind: 'vector',
              samples: value.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value })),
            };
      }
      case 'selector': {
        const found = select(second, node.matchers);
        if (found.length === 0) notes.push(`\`${node.text}\` matched no series in the exposition`);
        return {
          kind: 'vector',
          samples: found.map((series) => ({
            labels: { __name__: series.name, ...series.labels },
            value: series.value,
          })),
        };
      }
      case 'counter':
        return counter(node);
      case 'aggregate':
        return aggregate(node);
      case 'binary':
        return binary(node);
      case 'quantile':
        return quantile(node);
    }
  };

  const counter = (node: Extract<ScrapeExpr, { kind: 'counter' }>): ScrapeValue => {
    const latest = select(second, node.selector.matchers);
    if (latest.length === 0) {
      notes.push(`\`${node.selector.text}\` matched no series in the exposition`);
      return { kind: 'vector', samples: [] };
    }
    const earlier = new Map(
      select(first, node.selector.matchers).map((s) => [seriesKey(s.name, s.labels), s]),
    );
    const samples: { labels: Labels; value: number }[] = [];
    let appeared = 0;
    let stalled = 0;
    for (const series of latest) {
      const before = earlier.get(seriesKey(series.name, series.labels));
      if (!before) {
        appeared++;
        continue;
      }
      const exposedTimes = before.timestampMs !== null && series.timestampMs !== null;
      const t1 = exposedTimes ? before.timestampMs! : first.scrapedAtMs;
      const t2 = exposedTimes ? series.timestampMs! : second.scrapedAtMs;
      if (t2 <= t1) {
        stalled++;
        continue;
      }
      const value = extrapolatedRate(
        [
          { t: t1, v: before.value },
          { t: t2, v: series.value },
        ],
        t1,
        t2,
        node.fn === 'rate',
      );
      if (value !== null) samples.push({ labels: { ...series.labels }, value });
    }
    if (appeared > 0) {
      notes.push(
        `${appeared} series of \`${node.selector.text}\` appeared only in the second scrape (a rate needs both)`,
      );
    }
    if (stalled > 0) {
      notes.push(`${stalled} series of \`${node.selector.text}\` carried the same timestamp in both scrapes`);
    }
    return { kind: 'vector', samples };
  };

  const aggregate = (node: Extract<ScrapeExpr, { kind: 'aggregate' }>): ScrapeValue => {
    const input = vectorOf(evaluate(node.arg), node.op);
    const groups = new Map<string, { labels: Labels; values: number[] }>();
    for (const sample of input) {
      const labels = groupLabels(sample.labels, node.grouping);
      const key = seriesKey('', labels);
      const group = groups.get(key) ?? { labels, values: [] };
      group.values.push(sample.value);
      groups.set(key, group);
    }
    return {
      kind: 'vector',
      samples: [...groups.values()].map((group) => ({
        labels: group.labels,
        value: reduce(node.op, group.values),
      })),
    };
  };

  const binary = (node: Extract<ScrapeExpr, { kind: 'binary' }>): ScrapeValue => {
    const left = evaluate(node.left);
    const right = evaluate(node.right);
    const apply = (a: number, b: number) => arithmetic(node.op, a, b);
    if (left.kind === 'scalar' && right.kind === 'scalar')
      return { kind: 'scalar', value: apply(left.value, right.value) };
    if (left.kind === 'scalar' && right.kind === 'vector') {
      return {
        kind: 'vector',
        samples: right.samples.map((s) => ({
          labels: withoutName(s.labels),
          value: apply(left.value, s.value),
        })),
      };
    }
    if (left.kind === 'vector' && right.kind === 'scalar') {
      return {
        kind: 'vector',
        samples: left.samples.map((s) => ({
          labels: withoutName(s.labels),
          value: apply(s.value, right.value),
        })),
      };
    }
    if (left.kind !== 'vector' || right.kind !== 'vector') throw new EvaluationError('unreachable');
    // One-to-one vector matching, as Prometheus does it without group_left/group_right.
    const signature = (labels: Labels) => seriesKey('', matchingLabels(labels, node.matching));
    const rightBySignature = new Map<string, { labels: Labels; value: number }>();
    for (const sample of right.samples) {
      const key = signature(sample.labels);
      if (rightBySignature.has(key)) {
        throw new EvaluationError(
          `many-to-many matching not allowed: more than one series on the right of \`${node.op}\` has the labels ${formatLabels(matchingLabels(sample.labels, node.matching))}; aggregate them (sum by (...)) or use on(...)`,
        );
      }
      rightBySignature.set(key, sample);
    }
    const used = new Set<string>();
    const samples: { labels: Labels; value: number }[] = [];
    for (const sample of left.samples) {
      const key = signature(sample.labels);
      const partner = rightBySignature.get(key);
      if (!partner) continue;
      if (used.has(key)) {
        throw new EvaluationError(
          `multiple matches for the labels ${formatLabels(matchingLabels(sample.labels, node.matching))} on the left of \`${node.op}\`; aggregate them (sum by (...)) or use on(...)`,
        );
      }
      used.add(key);
      samples.push({
        labels: resultLabels(sample.labels, node.matching),
        value: apply(sample.value, partner.value),
      });
    }
    if (samples.length === 0 && left.samples.length > 0 && right.samples.length > 0) {
      notes.push(
        `no series on the two sides of \`${node.op}\` have the same labels (use on(...) or ignoring(...))`,
      );
    }
    return { kind: 'vector', samples };
  };

  const quantile = (node: Extract<ScrapeExpr, { kind: 'quantile' }>): ScrapeValue => {
    const phiValue = evaluate(node.phi);
    if (phiValue.kind !== 'scalar')
      throw new EvaluationError('histogram_quantile needs a number as its first argument');
    const phi = phiValue.value;
    if (Number.isNaN(phi) || phi < 0 || phi > 1)
      warnings.push(`quantile value should be between 0 and 1, got ${phi}`);
    const input = vectorOf(evaluate(node.arg), 'histogram_quantile');
    const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
    let withoutLe = 0;
    for (const sample of input) {
      const le = sample.labels.le;
      const upperBound = le === undefined ? null : parseGoFloat(le);
      if (upperBound === null || Number.isNaN(upperBound)) {
        withoutLe++;
        continue;
      }
      const labels = withoutName(sample.labels);
      delete labels.le;
      const key = seriesKey('', labels);
      const group = groups.get(key) ?? { labels, buckets: [] };
      group.buckets.push({ upperBound, count: sample.value });
      groups.set(key, group);
    }
    if (withoutLe > 0) {
      warnings.push(`${withoutLe} series without a valid \`le\` label were left out of histogram_quantile`);
      if (groups.size === 0) notes.push('no series with an `le` label reached histogram_quantile');
    }
    const samples = [...groups.values()].map((group) => {
      const result = bucketQuantile(phi, group.buckets);
      if (result.forcedMonotonic) {
        warnings.push(
          `info: input to histogram_quantile needed to be fixed for monotonicity ${formatLabels(group.labels)}`,
        );
      }
      if (!group.buckets.some((b) => b.upperBound === Number.POSITIVE_INFINITY)) {
        notes.push(`the buckets ${formatLabels(group.labels)} have no le="+Inf" bucket`);
      }
      return { labels: group.labels, value: result.value };
    });
    return { kind: 'vector', samples };
  };

  return { value: evaluate(expr), notes, warnings };
}

function vectorOf(value: ScrapeValue, what: string): { labels: Labels; value: number }[] {
  if (value.kind !== 'vector') throw new EvaluationError(`\`${what}\` needs series, not a number`);
  return value.samples;
}

/** Own labels only: a label named like an Object method (`constructor`) is not inherited. */
function labelValue(labels: Labels, name: string): string | undefined {
  return Object.hasOwn(labels, name) ? labels[name] : undefined;
}

function withoutName(labels: Labels): Labels {
  const copy = { ...labels };
  delete copy.__name__;
  return copy;
}

function groupLabels(labels: Labels, grouping: { without: boolean; labels: string[] } | null): Labels {
  if (!grouping) return {};
  if (grouping.without) {
    const kept = withoutName(labels);
    for (const name of grouping.labels) delete kept[name];
    return kept;
  }
  const kept: Labels = {};
  for (const name of grouping.labels) {
    const value = labelValue(labels, name);
    if (value !== undefined && value !== '') kept[name] = value;
  }
  return kept;
}

function matchingLabels(labels: Labels, matching: { on: boolean; labels: string[] } | null): Labels {
  if (matching?.on) {
    const kept: Labels = {};
    for (const name of matching.labels) {
      const value = labelValue(labels, name);
      if (value !== undefined) kept[name] = value;
    }
    return kept;
  }
  const kept = withoutName(labels);
  for (const name of matching?.labels ?? []) delete kept[name];
  return kept;
}

function resultLabels(labels: Labels, matching: { on: boolean; labels: string[] } | null): Labels {
  if (!matching) return withoutName(labels);
  return matchingLabels(labels, matching);
}

function reduce(op: Extract<ScrapeExpr, { kind: 'aggregate' }>['op'], values: number[]): number {
  switch (op) {
    case 'sum':
      return values.reduce((total, v) => total + v, 0);
    case 'avg':
      return values.reduce((total, v) => total + v, 0) / values.length;
    case 'count':
      return values.length;
    case 'min':
      return values.reduce((low, v) => (v < low || Number.isNaN(low) ? v : low));
    case 'max':
      return values.reduce((high, v) => (v > high || Number.isNaN(high) ? v : high));
  }
}

function arithmetic(op: '+' | '-' | '*' | '/', a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
  }
}

export function formatLabels(labels: Labels): string {
  const name = labels.__name__ ?? '';
  const pairs = Object.entries(labels)
    .filter(([key]) => key !== '__name__')
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return `${name}{${pairs.join(', ')}}`;
}
