/*
 * Messages for a value that matches none of a union's options: what the field accepts and what the file
 * gave. zod's own text ("Invalid input") says neither.
 */

const MAX_ECHOED_TEXT = 60;

/**
 * The value the file gave, as a message shows it: numbers, true/false and null as written, text quoted
 * (shortened when long), lists and mappings by kind only, so their content (which may hold a secret
 * written in the wrong place) is never echoed. `quoteText: false` hides text too, for secret fields.
 */
export function describeGiven(value: unknown, options: { quoteText?: boolean } = {}): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      if (options.quoteText === false) return 'text';
      if (value === '') return 'empty text';
      const shown = value.length > MAX_ECHOED_TEXT ? `${value.slice(0, MAX_ECHOED_TEXT - 1)}…` : value;
      return `\`${shown.replace(/\r?\n/g, '↵')}\``;
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** A union's `error`: `expected <what the field accepts>, got <what the file gave>`. */
export function expectedButGot(expected: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `expected ${expected}, got ${describeGiven(issue.input)}`;
}

/** `a`, `b` or `c` (or `and`): values as code, in a sentence. */
export function oneOfCode(values: readonly string[], conjunction: 'or' | 'and' = 'or'): string {
  const quoted = values.map((value) => `\`${value}\``);
  const last = quoted.pop();
  return quoted.length === 0 ? (last ?? '') : `${quoted.join(', ')} ${conjunction} ${last}`;
}
