export interface RedactionPattern {
  name: string;
  regex: RegExp;
}

/** Values this short would blank out ordinary words and numbers; they are not redacted. */
const MIN_SECRET_LENGTH = 4;

/**
 * Removes known secret values and pattern matches from text bound for the console, logs and reports.
 * Secrets become `[REDACTED]`, pattern matches `[REDACTED:<name>]`.
 */
export class Redactor {
  private readonly secrets: string[];
  private readonly patterns: { name: string; regex: RegExp }[];

  constructor(secretValues: readonly string[], patterns: readonly RedactionPattern[]) {
    const forms = new Set<string>();
    for (const value of secretValues) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      forms.add(value);
      // A secret that travelled in a URL or a form shows up percent-encoded.
      const encoded = encodeURIComponent(value);
      if (encoded !== value) forms.add(encoded);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...forms].sort((a, b) => b.length - a.length);
    this.patterns = patterns.map(({ name, regex }) => ({
      name,
      // Every match, and no `y`: a sticky regex would only match at lastIndex.
      regex: new RegExp(regex.source, `${regex.flags.replace(/[gy]/g, '')}g`),
    }));
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) {
      if (result.includes(secret)) result = result.split(secret).join('[REDACTED]');
    }
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
