export interface RedactionPattern {
  name: string;
  regex: RegExp;
}

/**
 * Values shorter than this (`9`, `on`) would blank out ordinary words and numbers wherever they occur:
 * they are replaced only where they are a whole string on their own (a field's entire value).
 */
export const MIN_SECRET_LENGTH = 4;

const VALUE_CHAR = '[A-Za-z0-9_]';

/**
 * One regex that finds each secret where it stands as a whole value: an edge of the secret that is a
 * letter, digit or `_` must not touch another such character, so a secret `http://127.0.0.1:9` is not
 * found inside `http://127.0.0.1:9464`, nor `abcd` inside `abcdef`. Longest first, so a secret that
 * contains another is replaced whole. Null when there is nothing to find.
 */
export function wholeValuePattern(secrets: Iterable<string>): RegExp | null {
  const sorted = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return null;
  const alternatives = sorted.map((secret) => {
    const before = /^[A-Za-z0-9_]/.test(secret) ? `(?<!${VALUE_CHAR})` : '';
    const after = /[A-Za-z0-9_]$/.test(secret) ? `(?!${VALUE_CHAR})` : '';
    return `${before}${secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${after}`;
  });
  return new RegExp(alternatives.join('|'), 'g');
}

/**
 * One regex that matches at least wherever one of the patterns does (the union of their flags only
 * widens what matches), or null when joining could change a pattern's meaning: `u`/`v` syntax,
 * backreferences and named groups (numbers and names would shift or clash).
 */
function anyPatternOf(patterns: readonly { regex: RegExp }[]): RegExp | null {
  if (patterns.length < 2) return null;
  const flags = new Set<string>();
  for (const { regex } of patterns) {
    if (/[uv]/.test(regex.flags) || /\\[1-9]|\\k<|\(\?<[^=!]/.test(regex.source)) return null;
    for (const flag of regex.flags) if ('ims'.includes(flag)) flags.add(flag);
  }
  return new RegExp(patterns.map(({ regex }) => `(?:${regex.source})`).join('|'), [...flags].join(''));
}

/**
 * Removes known secret values and pattern matches from text bound for the console, logs and reports.
 * Secrets become `[REDACTED]` (or the given replacement), pattern matches `[REDACTED:<name>]`.
 */
export class Redactor {
  private readonly secrets: RegExp | null;
  /** Secrets too short to look for inside text: replaced only when they are the whole string. */
  private readonly shortSecrets: ReadonlySet<string>;
  private readonly patterns: { name: string; regex: RegExp }[];
  /** Matches wherever any pattern may: most text matches none, and one scan then replaces six. */
  private readonly anyPattern: RegExp | null;
  private readonly replacement: string;

  constructor(
    secretValues: readonly string[],
    patterns: readonly RedactionPattern[],
    options: { replacement?: string } = {},
  ) {
    const forms = new Set<string>();
    const short = new Set<string>();
    for (const value of secretValues) {
      if (value === '') continue;
      if (value.length < MIN_SECRET_LENGTH) {
        short.add(value);
        continue;
      }
      forms.add(value);
      // A secret that travelled in a URL or a form shows up percent-encoded.
      const encoded = encodeURIComponent(value);
      if (encoded !== value) forms.add(encoded);
    }
    this.secrets = wholeValuePattern(forms);
    this.shortSecrets = short;
    this.replacement = options.replacement ?? '[REDACTED]';
    this.patterns = patterns.map(({ name, regex }) => ({
      name,
      // Every match, and no `y`: a sticky regex would only match at lastIndex.
      regex: new RegExp(regex.source, `${regex.flags.replace(/[gy]/g, '')}g`),
    }));
    this.anyPattern = anyPatternOf(this.patterns);
  }

  redact(text: string): string {
    if (this.shortSecrets.has(text)) return this.replacement;
    // A function replacer: `$` in the replacement must stay literal.
    let result = this.secrets ? text.replace(this.secrets, () => this.replacement) : text;
    if (this.anyPattern !== null && !this.anyPattern.test(result)) return result;
    for (const { name, regex } of this.patterns) {
      // A function replacer: `$` in a name must stay literal; an empty match is no secret.
      result = result.replace(regex, (match) => (match === '' ? match : `[REDACTED:${name}]`));
    }
    return result;
  }

  /** A copy of a JSON-like value with every string (values and keys) redacted; other values are kept. */
  redactDeep<T>(value: T): T {
    const seen = new WeakMap<object, unknown>();
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.redact(node);
      if (node === null || typeof node !== 'object') return node;
      const known = seen.get(node);
      if (known !== undefined) return known;
      if (Array.isArray(node)) {
        const copy: unknown[] = [];
        seen.set(node, copy);
        for (const item of node) copy.push(walk(item));
        return copy;
      }
      const prototype = Object.getPrototypeOf(node);
      if (prototype !== Object.prototype && prototype !== null) return node;
      const copy: Record<string, unknown> = {};
      seen.set(node, copy);
      for (const [key, item] of Object.entries(node)) copy[this.redact(key)] = walk(item);
      return copy;
    };
    return walk(value) as T;
  }
}
