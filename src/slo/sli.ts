import type { SliConfig } from '../config/types.js';
import type { EventSli } from './types.js';

/** Sloth's placeholder for the rate range; every SLI query is a template over it. */
export const WINDOW_PLACEHOLDER = '{{.window}}';

/** Puts a window (`5m`) into an SLI query template. */
export function atWindow(template: string, window: string): string {
  return template.split(WINDOW_PLACEHOLDER).join(window);
}

interface SyntaxNodeLike {
  type: { name: string; isError: boolean };
  from: number;
  to: number;
  firstChild: SyntaxNodeLike | null;
  nextSibling: SyntaxNodeLike | null;
  getChild(name: string): SyntaxNodeLike | null;
}

function childrenOf(node: SyntaxNodeLike): SyntaxNodeLike[] {
  const children: SyntaxNodeLike[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}

type PromqlParser = typeof import('@prometheus-io/lezer-promql')['parser'];
let promql: PromqlParser | null = null;

/**
 * Loads the PromQL grammar that SLI derivation parses queries with. It is large, so it is not a static
 * import: commands that never derive an SLI (and every module that shares a chunk with this one, such
 * as the units) start without it. The pipeline loads it before it derives objectives.
 */
export async function loadPromqlGrammar(): Promise<void> {
  promql ??= (await import('@prometheus-io/lezer-promql')).parser;
}

function parse(query: string): SyntaxNodeLike | null {
  if (!promql) throw new Error('the PromQL grammar is not loaded: await loadPromqlGrammar() first');
  const tree = promql.parse(query);
  let broken = false;
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) broken = true;
    },
  });
  if (broken) return null;
  return (tree.topNode.firstChild as SyntaxNodeLike | null) ?? null;
}

function unwrapParens(node: SyntaxNodeLike): SyntaxNodeLike {
  let current = node;
  while (current.type.name === 'ParenExpr') {
    const inner = childrenOf(current).find((child) => child.type.name !== '(' && child.type.name !== ')');
    if (!inner) break;
    current = inner;
  }
  return current;
}

function descendants(node: SyntaxNodeLike, name: string): SyntaxNodeLike[] {
  const found: SyntaxNodeLike[] = [];
  const visit = (current: SyntaxNodeLike) => {
    if (current.type.name === name) found.push(current);
    for (const child of childrenOf(current)) visit(child);
  };
  visit(node);
  return found;
}

function functionName(call: SyntaxNodeLike, query: string): string {
  const identifier = call.getChild('FunctionIdentifier');
  return identifier ? query.slice(identifier.from, identifier.to) : '';
}

/**
 * `query` with the range of every `rate()`/`increase()` replaced by the window placeholder; null when the
 * expression counts anything but rates or increases of counters (the SLI would not be an event ratio).
 */
function counterTemplate(query: string, node: SyntaxNodeLike): string | null {
  const matrices = descendants(node, 'MatrixSelector');
  if (matrices.length === 0) return null;
  const ranges: { from: number; to: number }[] = [];
  for (const call of descendants(node, 'FunctionCall')) {
    const name = functionName(call, query);
    if (name !== 'rate' && name !== 'increase') return null;
  }
  for (const matrix of matrices) {
    const range = matrix.getChild('DurationExpr');
    if (!range) return null;
    ranges.push({ from: range.from, to: range.to });
  }
  if (descendants(node, 'SubqueryExpr').length > 0) return null;
  let text = '';
  let at = node.from;
  for (const range of ranges.sort((a, b) => a.from - b.from)) {
    text += query.slice(at, range.from) + WINDOW_PLACEHOLDER;
    at = range.to;
  }
  text += query.slice(at, node.to);
  // increase() over a window counts events; rate() the same per second: the ratio is the same.
  return text;
}

export interface RatioParts {
  numerator: string;
  denominator: string;
  /** True for `1 - (a / b)`: the query measures the complement of a / b. */
  complement: boolean;
}

/** Splits `a / b` or `1 - (a / b)` where a and b are sums of rate()/increase(). Null otherwise. */
export function ratioOfRates(query: string): RatioParts | null {
  const top = parse(query);
  if (!top) return null;
  let node = unwrapParens(top);
  let complement = false;
  if (node.type.name === 'BinaryExpr') {
    const [left, op, right] = childrenOf(node).filter((child) => !child.type.name.startsWith('BinModifier'));
    if (
      left &&
      op?.type.name === 'Sub' &&
      right &&
      left.type.name === 'NumberDurationLiteral' &&
      Number(query.slice(left.from, left.to)) === 1
    ) {
      complement = true;
      node = unwrapParens(right);
    }
  }
  if (node.type.name !== 'BinaryExpr') return null;
  const parts = childrenOf(node);
  const [left, op, right] = parts;
  if (parts.length !== 3 || !left || !right || op?.type.name !== 'Div') return null;
  const numerator = counterTemplate(query, unwrapParens(left));
  const denominator = counterTemplate(query, unwrapParens(right));
  if (!numerator || !denominator) return null;
  return { numerator, denominator, complement };
}

export interface HistogramParts {
  /** Histogram base name: `X` of `X_bucket`. */
  base: string;
  /** The `{...}` matchers of the bucket selector, without `le`, as written (may be empty). */
  matchers: string;
  /** The quantile asked of histogram_quantile. */
  quantile: number;
}

/** Finds `histogram_quantile(q, … rate(X_bucket{…}[…]) …)` at the top of a query. */
export function histogramQuantileOf(query: string): HistogramParts | null {
  const top = parse(query);
  if (!top) return null;
  const call = unwrapParens(top);
  if (call.type.name !== 'FunctionCall' || functionName(call, query) !== 'histogram_quantile') return null;
  const body = call.getChild('FunctionCallBody');
  const args = body
    ? childrenOf(body).filter(
        (child) => child.type.name !== '(' && child.type.name !== ')' && child.type.name !== ',',
      )
    : [];
  const quantileNode = args[0];
  if (quantileNode?.type.name !== 'NumberDurationLiteral') return null;
  const quantile = Number(query.slice(quantileNode.from, quantileNode.to));
  const selectors = args[1] ? descendants(args[1], 'VectorSelector') : [];
  if (selectors.length !== 1 || !selectors[0]) return null;
  const selector = selectors[0];
  const identifier = selector.getChild('Identifier');
  const name = identifier ? query.slice(identifier.from, identifier.to) : '';
  if (!name.endsWith('_bucket')) return null;
  const matcherNode = selector.getChild('LabelMatchers');
  const matchers = matcherNode
    ? childrenOf(matcherNode)
        .filter((child) => child.type.name.endsWith('LabelMatcher'))
        .map((child) => query.slice(child.from, child.to))
        .filter((text) => !/^\s*le\s*[=!~]/.test(text))
    : [];
  return { base: name.slice(0, -'_bucket'.length), matchers: matchers.join(','), quantile };
}

/**
 * An SLI query given in observability.yaml: a template with `{{.window}}`, or a bare counter selector
 * that is wrapped as `sum(rate(<selector>[{{.window}}]))`. Null when it is neither.
 */
export function sliQueryTemplate(query: string): string | null {
  if (query.includes(WINDOW_PLACEHOLDER)) {
    return parse(atWindow(query, '5m')) ? query.trim() : null;
  }
  const top = parse(query);
  if (top && unwrapParens(top).type.name === 'VectorSelector') {
    return `sum(rate(${query.trim()}[${WINDOW_PLACEHOLDER}]))`;
  }
  return null;
}

/** The event SLI given explicitly in the mapping (`sli: {good|bad, total}`); an error text when unusable. */
export function configuredSli(sli: Exclude<SliConfig, { le: string }>): EventSli | string {
  const total = sliQueryTemplate(sli.total);
  if (!total) return notATemplate('total');
  if ('good' in sli) {
    const good = sliQueryTemplate(sli.good);
    if (!good) return notATemplate('good');
    return { source: 'config', good, bad: `(${total}) - (${good})`, total, assumption: null };
  }
  const bad = sliQueryTemplate(sli.bad);
  if (!bad) return notATemplate('bad');
  return { source: 'config', good: null, bad, total, assumption: null };
}

function notATemplate(field: string): string {
  return `sli.${field} is neither a counter selector nor a PromQL query with ${WINDOW_PLACEHOLDER} as the rate range`;
}

/**
 * An imported SLI query at a fixed range (`sum(rate(x[5m]))`, as OpenSLO carries it) made a window
 * template again; null when it counts anything but rate()/increase() of counters, or does not parse.
 */
export function windowTemplateOf(query: string): string | null {
  const top = parse(query);
  return top ? counterTemplate(query, top) : null;
}
