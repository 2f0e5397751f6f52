/** PCRE/Go style patterns (as written in SmartSpec configs) → JavaScript RegExp. */

export type CompiledPattern = { ok: true; regex: RegExp } | { ok: false; reason: string };

const LEADING_INLINE_FLAGS = /^\(\?([a-zA-Z]+)\)/;

/**
 * Compiles `source` with `baseFlags`. A leading inline flag group such as `(?i)` (PCRE, Go, Python)
 * becomes the matching JS flag; flags JS lacks (`x`, `U`) make the pattern unusable rather than wrong.
 */
export function compilePattern(source: string, baseFlags: string): CompiledPattern {
  let body = source;
  const flags = new Set(baseFlags.split(''));
  const inline = LEADING_INLINE_FLAGS.exec(source);
  if (inline) {
    for (const flag of inline[1] ?? '') {
      if (flag !== 'i' && flag !== 'm' && flag !== 's') {
        return { ok: false, reason: `inline flag "(?${flag})" has no JavaScript equivalent` };
      }
      flags.add(flag);
    }
    body = source.slice(inline[0].length);
  }
  try {
    return { ok: true, regex: new RegExp(body, [...flags].sort().join('')) };
  } catch (error) {
    const detail =
      error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : 'invalid';
    return { ok: false, reason: `does not compile as a JavaScript regular expression (${detail})` };
  }
}

/** True when the pattern matches the empty string: as a redaction rule it would match everywhere. */
export function matchesEmpty(regex: RegExp): boolean {
  return new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')).test('');
}
