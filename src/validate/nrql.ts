/**
 * NRQL checked by shape, offline: New Relic publishes no grammar, so this finds the mistakes that
 * make every run fail (no SELECT or FROM, unbalanced quotes or parentheses) and the clauses the
 * monitor writes itself (SINCE, UNTIL, TIMESERIES), which would clash with its time window.
 */

/** Clauses the monitor appends: the query must not carry its own. */
const WINDOW_CLAUSES = ['SINCE', 'UNTIL', 'TIMESERIES', 'COMPARE WITH'] as const;

/** The query with string literals and backquoted names blanked out, or a problem when one is unclosed. */
function withoutLiterals(query: string): { text: string } | { problem: string } {
  let text = '';
  let quote: string | null = null;
  for (let i = 0; i < query.length; i++) {
    const char = query[i]!;
    if (quote) {
      if (char === '\\') {
        i++;
        text += '  ';
        continue;
      }
      if (char === quote) quote = null;
      text += char === quote || quote === null ? char : ' ';
      continue;
    }
    if (char === "'" || char === '"' || char === '`') quote = char;
    text += char;
  }
  if (quote) return { problem: `unclosed ${quote} quote` };
  return { text };
}

/** Problems with an NRQL query, each a sentence saying what to change; empty when the shape is right. */
export function checkNrqlShape(query: string): string[] {
  const stripped = withoutLiterals(query);
  if ('problem' in stripped) return [`${stripped.problem}: close the string or the backquoted name`];
  const text = stripped.text.replace(/\s+/g, ' ');
  const problems: string[] = [];
  if (!/\bSELECT\b/i.test(text)) problems.push('no SELECT: write e.g. SELECT count(*) FROM Transaction');
  if (!/\bFROM\b\s*[A-Za-z`]/i.test(text)) problems.push('no FROM <event type>: e.g. FROM Transaction');
  let depth = 0;
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')' && --depth < 0) break;
  }
  if (depth !== 0) problems.push(depth > 0 ? 'a "(" is not closed' : 'a ")" has no matching "("');
  for (const clause of windowClausesIn(query)) {
    problems.push(
      `remove ${clause}: the monitor adds SINCE/UNTIL for the evaluation window (and TIMESERIES for reports) itself`,
    );
  }
  return problems;
}

/** SINCE/UNTIL/TIMESERIES/COMPARE WITH written in the query itself (outside string literals). */
export function windowClausesIn(query: string): string[] {
  const stripped = withoutLiterals(query);
  const text = 'text' in stripped ? stripped.text.replace(/\s+/g, ' ') : query;
  return WINDOW_CLAUSES.filter((clause) => new RegExp(`\\b${clause}\\b`, 'i').test(text));
}
