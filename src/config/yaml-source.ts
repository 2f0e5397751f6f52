import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
} from 'yaml';
import { ALIAS_BOMB_MESSAGE, toPlainValue } from '../common/yaml-limits.js';

/** Code of the problem raised for aliases that expand past the limit. */
export const ALIAS_BOMB_CODE = 'ALIAS_BOMB';

export type FieldPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

/** `metrics[1].query`, `providers.prom.url`, `headers["X.Y"]`. */
export function formatFieldPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

export interface YamlSyntaxProblem {
  position: Position;
  message: string;
  code: string;
  severity: 'error' | 'warning';
}

/** A parsed YAML text that can say where any field path is written. */
export class YamlSource {
  readonly problems: YamlSyntaxProblem[];
  /** Plain JS value of the document (null for an empty file). */
  readonly value: unknown;
  private readonly document: Document.Parsed;
  private readonly lineCounter: LineCounter;

  constructor(text: string) {
    this.lineCounter = new LineCounter();
    // prettyErrors off: its messages quote the source line, which could hold a secret.
    this.document = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      merge: true,
      uniqueKeys: true,
    });
    const toProblem =
      (severity: 'error' | 'warning') =>
      (error: { pos: [number, number]; message: string; code: string }) => ({
        position: this.positionAt(error.pos[0]),
        message: error.message,
        code: error.code,
        severity,
      });
    this.problems = [
      ...this.document.errors.map(toProblem('error')),
      ...this.document.warnings.map(toProblem('warning')),
    ];
    let value: unknown = null;
    if (!this.problems.some((problem) => problem.severity === 'error')) {
      const plain = toPlainValue(this.document);
      if (plain.ok) value = plain.value;
      else {
        this.problems.push({
          position: this.positionAt(plain.aliasOffset),
          message: ALIAS_BOMB_MESSAGE,
          code: ALIAS_BOMB_CODE,
          severity: 'error',
        });
      }
    }
    this.value = value;
  }

  positionAt(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /**
   * Where `path` is written: its value node, or with `key: true` its key. A path that is not in the text (a missing
   * required key, a value that came through a merge) gives the deepest written ancestor, at its key when it has one.
   */
  locate(path: FieldPath, options: { key?: boolean } = {}): Position {
    let node: unknown = this.document.contents;
    let keyNode: Node | null = null;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(this.document);
      let next: { value: unknown; key: Node | null } | null = null;
      if (isMap(node)) {
        const pair = (node.items as Pair<unknown, unknown>[]).find(
          (item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment),
        );
        if (pair) next = { value: pair.value, key: isScalar(pair.key) ? pair.key : null };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item !== undefined) next = { value: item, key: null };
      }
      if (next === null) return this.start(keyNode ?? node);
      node = next.value;
      keyNode = next.key;
    }
    if (options.key && keyNode) return this.start(keyNode);
    const valueStart = this.start(node, false);
    return valueStart ?? this.start(keyNode ?? this.document.contents);
  }

  private start(node: unknown): Position;
  private start(node: unknown, fallback: false): Position | null;
  private start(node: unknown, fallback = true): Position | null {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    if (range) return this.positionAt(range[0]);
    return fallback ? { line: 1, column: 1 } : null;
  }
}
