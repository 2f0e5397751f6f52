/**
 * Offline checks of InfluxQL and Graphite targets by shape: no grammar of either ships with Node, so this
 * finds what breaks most queries (unbalanced quotes and brackets, a missing SELECT/FROM or $timeFilter)
 * and leaves the rest to the backend, whose answer names it at run time.
 */
import type { PreparedCheck } from '../pipeline/index.js';
import { TIME_FILTER } from '../providers/influxdb.js';
import type { ValidationProblem } from './index.js';

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const OPENING: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Quotes and brackets must pair up; quotes may escape with a backslash. Columns are 1-based. */
function balanceProblems(text: string, brackets: string): string[] {
  const stack: Array<{ char: string; column: number }> = [];
  let quote: { char: string; column: number } | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === '\\') i++;
      else if (char === quote.char) quote = null;
      continue;
    }
    if (char === "'" || char === '"') quote = { char, column: i + 1 };
    else if (brackets.includes(char) && CLOSING[char]) stack.push({ char, column: i + 1 });
    else if (brackets.includes(char) && OPENING[char]) {
      const open = stack.pop();
      if (!open) return [`"${char}" at column ${i + 1} closes nothing`];
      if (CLOSING[open.char] !== char) {
        return [`"${open.char}" at column ${open.column} is closed by "${char}" at column ${i + 1}`];
      }
    }
  }
  if (quote) return [`the quote ${quote.char} at column ${quote.column} is never closed`];
  const open = stack.pop();
  return open ? [`"${open.char}" at column ${open.column} is never closed`] : [];
}

/** Text with quoted parts blanked out, so keywords inside strings and identifiers are not seen. */
function unquoted(text: string): string {
  return text.replace(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g, (match) => '_'.repeat(match.length));
}

export function influxqlShapeProblems(query: string): string[] {
  const balance = balanceProblems(query, '()');
  if (balance.length > 0) return balance;
  const bare = unquoted(query);
  const problems: string[] = [];
  if (!/^\s*SELECT\b/i.test(bare)) problems.push('a query starts with SELECT');
  else if (!/\bFROM\b/i.test(bare)) problems.push('SELECT needs FROM <measurement>');
  if (bare.replace(/;\s*$/, '').includes(';')) problems.push("one statement only: remove what follows ';'");
  if (!query.includes(TIME_FILTER)) {
    problems.push(`no ${TIME_FILTER}: write WHERE ${TIME_FILTER} so the monitor can choose the time window`);
  }
  if (/\bGROUP\s+BY\b[^;]*\btime\s*\(/i.test(bare)) {
    problems.push('leave GROUP BY time(...) out: range queries add it with the report step');
  }
  return problems;
}

export function graphiteShapeProblems(target: string): string[] {
  const balance = balanceProblems(target, '()[]{}');
  if (balance.length > 0) return balance;
  const bare = unquoted(target);
  if (/,\s*[,)]|\(\s*,/.test(bare))
    return ['an argument is empty (two commas, or a comma next to a parenthesis)'];
  return [];
}

/** Shape problems of every InfluxDB and Graphite query of the plan, placed on its mapping's line. */
export function queryShapeProblems(prepared: PreparedCheck, configFile: string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const check of prepared.plan.checks) {
    const type = prepared.config.providers[check.mapping.provider]?.type;
    const found =
      type === 'influxdb'
        ? { language: 'InfluxQL', problems: influxqlShapeProblems(check.mapping.query) }
        : type === 'graphite'
          ? { language: 'Graphite target', problems: graphiteShapeProblems(check.mapping.query) }
          : null;
    for (const message of found?.problems ?? []) {
      problems.push({
        severity: 'error',
        where: `${configFile}:${check.mapping.line}`,
        message: `metrics "${check.mapping.name}": ${found!.language}: ${message}`,
        hint: null,
      });
    }
  }
  return problems;
}
