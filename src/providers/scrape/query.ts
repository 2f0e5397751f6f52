import { parser } from '@prometheus-io/lezer-promql';
import { parseGoFloat } from './exposition.js';

/*
 * The PromQL subset the scrape provider evaluates in-process over two scrapes (docs/observability-yaml.md,
 * "scrape"): selectors with label matchers, rate/increase (the range is the time between the scrapes),
 * sum/avg/min/max/count with by/without, + - * / between scalars and vectors (one-to-one, with on/ignoring),
 * unary minus, and histogram_quantile. Parsed with the Prometheus team's Lezer grammar.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type AggregateOp = 'sum' | 'avg' | 'min' | 'max' | 'count';
export type ArithmeticOp = '+' | '-' | '*' | '/';

export type ScrapeExpr =
  | { kind: 'number'; value: number }
  | { kind: 'selector'; text: string; matchers: LabelMatcher[] }
  | { kind: 'counter'; fn: 'rate' | 'increase'; selector: Extract<ScrapeExpr, { kind: 'selector' }> }
  | {
      kind: 'aggregate';
      op: AggregateOp;
      grouping: { without: boolean; labels: string[] } | null;
      arg: ScrapeExpr;
    }
  | {
      kind: 'binary';
      op: ArithmeticOp;
      left: ScrapeExpr;
      right: ScrapeExpr;
      matching: { on: boolean; labels: string[] } | null;
    }
  | { kind: 'negate'; arg: ScrapeExpr }
  | { kind: 'quantile'; phi: ScrapeExpr; arg: ScrapeExpr };

/** Why a query cannot be evaluated from two scrapes; `at` is the 0-based character offset. */
export class UnsupportedQuery extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

export const SUPPORTED_SUBSET =
  'selectors with label matchers, rate(...[range]) and increase(...[range]), sum/avg/min/max/count (with by/without), + - * / (with on/ignoring), numbers, and histogram_quantile(φ, ...)';

const AGGREGATES = new Set<string>(['sum', 'avg', 'min', 'max', 'count']);
const ARITHMETIC: Readonly<Record<string, ArithmeticOp>> = { Add: '+', Sub: '-', Mul: '*', Div: '/' };

interface Node {
  type: { name: string; isError: boolean };
  from: number;
  to: number;
  firstChild: Node | null;
  nextSibling: Node | null;
  getChild(name: string): Node | null;
}

function childrenOf(node: Node): Node[] {
  const children: Node[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}

/** Compiles a query into the evaluator's tree, or throws UnsupportedQuery naming what is not supported. */
export function compileScrapeQuery(query: string): ScrapeExpr {
  const tree = parser.parse(query);
  let errorAt = -1;
  tree.iterate({
    enter: (node) => {
      if (errorAt === -1 && node.type.isError) errorAt = node.from;
    },
  });
  if (errorAt !== -1) throw new UnsupportedQuery(`PromQL syntax error at character ${errorAt + 1}`, errorAt);
  const top = tree.topNode.firstChild as Node | null;
  if (!top) throw new UnsupportedQuery('the query is empty', 0);
  const expr = new Compiler(query).expr(top);
  typeOf(expr);
  return expr;
}

/** PromQL's static types, checked before anything is scraped: aggregations and quantiles need series. */
function typeOf(expr: ScrapeExpr): 'scalar' | 'vector' {
  switch (expr.kind) {
    case 'number':
      return 'scalar';
    case 'negate':
      return typeOf(expr.arg);
    case 'selector':
    case 'counter':
      return 'vector';
    case 'aggregate':
      if (typeOf(expr.arg) !== 'vector')
        throw new UnsupportedQuery(`\`${expr.op}\` needs series, not a number`, 0);
      return 'vector';
    case 'quantile':
      if (typeOf(expr.phi) !== 'scalar') {
        throw new UnsupportedQuery('histogram_quantile needs a number such as 0.99 as its first argument', 0);
      }
      if (typeOf(expr.arg) !== 'vector') {
        throw new UnsupportedQuery('histogram_quantile needs bucket series as its second argument', 0);
      }
      return 'vector';
    case 'binary': {
      const left = typeOf(expr.left);
      const right = typeOf(expr.right);
      if (expr.matching && (left === 'scalar' || right === 'scalar')) {
        throw new UnsupportedQuery('on(...)/ignoring(...) apply only between two sets of series', 0);
      }
      return left === 'scalar' && right === 'scalar' ? 'scalar' : 'vector';
    }
  }
}

class Compiler {
  constructor(private readonly query: string) {}

  private text(node: Node): string {
    return this.query.slice(node.from, node.to);
  }

  private unsupported(node: Node, what: string): never {
    throw new UnsupportedQuery(
      `${what} is not supported by the scrape provider (supported: ${SUPPORTED_SUBSET})`,
      node.from,
    );
  }

  expr(node: Node): ScrapeExpr {
    switch (node.type.name) {
      case 'ParenExpr': {
        const inner = childrenOf(node).find((child) => child.type.name !== '(' && child.type.name !== ')');
        if (!inner) this.unsupported(node, 'an empty ( )');
        return this.expr(inner);
      }
      case 'NumberDurationLiteral': {
        const value = parseNumber(this.text(node));
        if (value === null) this.unsupported(node, `the number \`${this.text(node)}\``);
        return { kind: 'number', value };
      }
      case 'UnaryExpr': {
        const [op, operand] = childrenOf(node);
        if (!op || !operand) this.unsupported(node, 'this unary expression');
        const arg = this.expr(operand);
        return this.text(op) === '-' ? { kind: 'negate', arg } : arg;
      }
      case 'VectorSelector':
        return this.selector(node);
      case 'MatrixSelector':
        return this.unsupported(
          node,
          `a bare range selector \`${this.text(node)}\` (a range vector is no number)`,
        );
      case 'FunctionCall':
        return this.call(node);
      case 'AggregateExpr':
        return this.aggregate(node);
      case 'BinaryExpr':
        return this.binary(node);
      case 'OffsetExpr':
        return this.unsupported(node, '`offset` (a scrape has only the present)');
      case 'StepInvariantExpr':
        return this.unsupported(node, '`@` (a scrape has only the present)');
      case 'SubqueryExpr':
        return this.unsupported(node, `the subquery \`${this.text(node)}\``);
      case 'StringLiteral':
        return this.unsupported(node, 'a string');
      default:
        return this.unsupported(node, `\`${this.text(node)}\``);
    }
  }

  private selector(node: Node): Extract<ScrapeExpr, { kind: 'selector' }> {
    const matchers: LabelMatcher[] = [];
    for (const child of childrenOf(node)) {
      if (child.type.name === 'Identifier') {
        matchers.push({ label: '__name__', op: '=', value: this.text(child) });
      } else if (child.type.name === 'LabelMatchers') {
        for (const matcher of childrenOf(child)) {
          if (matcher.type.name === '{' || matcher.type.name === '}' || matcher.type.name === ',') continue;
          if (matcher.type.name !== 'UnquotedLabelMatcher') {
            this.unsupported(matcher, `the matcher \`${this.text(matcher)}\` (quoted names)`);
          }
          const label = matcher.getChild('LabelName');
          const op = matcher.getChild('MatchOp');
          const value = matcher.getChild('StringLiteral');
          if (!label || !op || !value) this.unsupported(matcher, `the matcher \`${this.text(matcher)}\``);
          matchers.push({
            label: this.text(label),
            op: this.text(op) as MatchOp,
            value: unquote(this.text(value)),
          });
        }
      } else {
        this.unsupported(child, `\`${this.text(child)}\` in a selector`);
      }
    }
    // As in Prometheus, at least one matcher must rule out the empty value, or the selector takes everything.
    const matchesEmpty = (m: LabelMatcher): boolean => {
      switch (m.op) {
        case '=':
          return m.value === '';
        case '!=':
          return m.value !== '';
        default: {
          let regex: RegExp;
          try {
            regex = new RegExp(`^(?:${m.value})$`, 's');
          } catch {
            return this.unsupported(node, `the regular expression "${m.value}"`);
          }
          return regex.test('') === (m.op === '=~');
        }
      }
    };
    if (matchers.every(matchesEmpty)) {
      this.unsupported(node, `the selector \`${this.text(node)}\`, which matches every series,`);
    }
    return { kind: 'selector', text: this.text(node), matchers };
  }

  private call(node: Node): ScrapeExpr {
    const identifier = node.getChild('FunctionIdentifier');
    const name = identifier ? this.text(identifier) : '';
    const body = node.getChild('FunctionCallBody');
    const args = body ? childrenOf(body).filter((c) => !['(', ')', ','].includes(c.type.name)) : [];
    if (name === 'rate' || name === 'increase') {
      const matrix = args[0];
      if (args.length !== 1 || !matrix || matrix.type.name !== 'MatrixSelector') {
        this.unsupported(node, `\`${name}\` of anything but one range selector such as x_total[5m]`);
      }
      const vector = matrix.getChild('VectorSelector');
      if (!vector) this.unsupported(matrix, `\`${this.text(matrix)}\``);
      return { kind: 'counter', fn: name, selector: this.selector(vector) };
    }
    if (name === 'histogram_quantile') {
      const [phi, vector] = args;
      if (args.length !== 2 || !phi || !vector)
        this.unsupported(node, '`histogram_quantile` without two arguments');
      return { kind: 'quantile', phi: this.expr(phi), arg: this.expr(vector) };
    }
    return this.unsupported(identifier ?? node, `the function \`${name}\``);
  }

  private aggregate(node: Node): ScrapeExpr {
    const opNode = node.getChild('AggregateOp');
    const op = opNode ? this.text(opNode) : '';
    if (!AGGREGATES.has(op)) this.unsupported(opNode ?? node, `the aggregation \`${op}\``);
    const body = node.getChild('FunctionCallBody');
    const args = body ? childrenOf(body).filter((c) => !['(', ')', ','].includes(c.type.name)) : [];
    if (args.length !== 1 || !args[0]) this.unsupported(node, `\`${op}\` with ${args.length} arguments`);
    const modifier = node.getChild('AggregateModifier');
    let grouping: { without: boolean; labels: string[] } | null = null;
    if (modifier) {
      const labelsNode = modifier.getChild('GroupingLabels');
      const labels = labelsNode
        ? childrenOf(labelsNode)
            .filter((c) => c.type.name === 'LabelName')
            .map((c) => this.text(c))
        : [];
      grouping = { without: modifier.getChild('Without') !== null, labels };
    }
    return { kind: 'aggregate', op: op as AggregateOp, grouping, arg: this.expr(args[0]) };
  }

  private binary(node: Node): ScrapeExpr {
    const children = childrenOf(node);
    const opNode = children[1];
    const op = opNode ? ARITHMETIC[opNode.type.name] : undefined;
    if (!opNode || !op) {
      return this.unsupported(opNode ?? node, `the operator \`${opNode ? this.text(opNode) : '?'}\``);
    }
    let matching: { on: boolean; labels: string[] } | null = null;
    let rightNode = children[2];
    if (rightNode?.type.name === 'MatchingModifierClause') {
      if (rightNode.getChild('GroupLeft') || rightNode.getChild('GroupRight')) {
        this.unsupported(rightNode, '`group_left`/`group_right`');
      }
      const labelsNode = rightNode.getChild('GroupingLabels');
      const labels = labelsNode
        ? childrenOf(labelsNode)
            .filter((c) => c.type.name === 'LabelName')
            .map((c) => this.text(c))
        : [];
      matching = { on: rightNode.getChild('On') !== null, labels };
      rightNode = children[3];
    } else if (rightNode?.type.name === 'BoolModifier') {
      this.unsupported(rightNode, '`bool`');
    }
    if (!children[0] || !rightNode) this.unsupported(node, `\`${this.text(node)}\``);
    return { kind: 'binary', op, left: this.expr(children[0]), right: this.expr(rightNode), matching };
  }
}

function parseNumber(text: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  return parseGoFloat(text);
}

/** A PromQL string literal: "..." or '...' with Go escapes, or a `raw` string. */
function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  const body = literal.slice(1, -1);
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g,
    (_, sequence: string) => {
      switch (sequence[0]) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case 'a':
          return '\x07';
        case 'b':
          return '\b';
        case 'f':
          return '\f';
        case 'v':
          return '\v';
        case 'x':
        case 'u':
        case 'U':
          return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
        default:
          return /^[0-7]{3}$/.test(sequence) ? String.fromCharCode(Number.parseInt(sequence, 8)) : sequence;
      }
    },
  );
}
