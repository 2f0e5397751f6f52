import { type Document, isAlias, isCollection, isPair, type Node, visit } from 'yaml';

/**
 * Limits that keep a hostile or runaway YAML file from exhausting memory: aliases that expand
 * exponentially ("billion laughs") and files far larger than any real config.
 */
export const MAX_YAML_ALIAS_COUNT = 100;
/** Default size limit of observability.yaml and of the SmartSpec config (1 MiB). */
export const DEFAULT_MAX_CONFIG_BYTES = 1024 * 1024;

export type PlainValue = { ok: true; value: unknown } | { ok: false; aliasOffset: number };

/**
 * The document as plain JS, or, when its aliases expand past the limit, the offset of the alias
 * most likely to blame: the first that repeats an anchor which itself holds aliases (the nesting
 * that makes the expansion exponential), else the first alias.
 */
export function toPlainValue(document: Document.Parsed): PlainValue {
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) };
  } catch (error) {
    if (!(error instanceof ReferenceError) || !/alias/i.test(error.message)) throw error;
    return { ok: false, aliasOffset: blamedAliasOffset(document) };
  }
}

function holdsAlias(node: unknown): boolean {
  if (isAlias(node)) return true;
  if (isPair(node)) return holdsAlias(node.key) || holdsAlias(node.value);
  if (isCollection(node)) return node.items.some(holdsAlias);
  return false;
}

function blamedAliasOffset(document: Document.Parsed): number {
  let first: number | null = null;
  let nested: number | null = null;
  visit(document, {
    Alias(_key, alias) {
      const offset = alias.range?.[0] ?? 0;
      first ??= offset;
      const source = alias.resolve(document) as Node | undefined;
      if (nested === null && source !== undefined && holdsAlias(source)) {
        nested = offset;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return nested ?? first ?? 0;
}

/** One sentence for every place that reports an alias bomb. */
export const ALIAS_BOMB_MESSAGE = `YAML aliases expand to more than ${MAX_YAML_ALIAS_COUNT} copies (an "alias bomb"); refused`;
export const ALIAS_BOMB_HINT =
  'write the repeated values out, or use fewer nested anchors (`&name`) and aliases (`*name`)';
