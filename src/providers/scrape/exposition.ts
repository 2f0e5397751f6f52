/*
 * The two text exposition formats a `/metrics` endpoint serves: Prometheus text 0.0.4 and OpenMetrics 1.0.
 * Every sample becomes one flat series (`name` + labels + value), the way Prometheus stores a scrape, so
 * that PromQL selectors apply unchanged (`x_bucket{le="0.5"}`, `requests_total`). Strict: a line that is
 * not a comment, a metadata line or a well-formed sample makes the whole exposition unusable, because a
 * partly read scrape would give wrong rates rather than none.
 */

export type ExpositionFormat = 'prometheus-text' | 'openmetrics';

export interface ExposedSeries {
  /** The sample's own name, e.g. `http_requests_total` or `latency_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch when the exposition gave a timestamp, else null. */
  timestampMs: number | null;
}

export interface Exposition {
  format: ExpositionFormat;
  series: ExposedSeries[];
  /** `# TYPE` per metric family (OpenMetrics families name counters without `_total`). */
  types: Map<string, string>;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/** What a scraper asks for, in Prometheus' own order of preference (OpenMetrics first). */
export const SCRAPE_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

/** The format a Content-Type announces; anything but OpenMetrics is read as the Prometheus text format. */
export function formatOf(contentType: string): ExpositionFormat {
  return contentType.toLowerCase().startsWith('application/openmetrics-text')
    ? 'openmetrics'
    : 'prometheus-text';
}

const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OPENMETRICS_TYPES = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'stateset',
  'info',
  'summary',
  'unknown',
]);
const MAX_REPORTED_CHARS = 80;

export function parseExposition(body: string, format: ExpositionFormat): Exposition {
  const openMetrics = format === 'openmetrics';
  const lines = body.split('\n');
  // A final newline leaves one empty string behind; OpenMetrics requires it after `# EOF`.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const series: ExposedSeries[] = [];
  const types = new Map<string, string>();
  const seen = new Set<string>();
  let sawEof = false;

  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = openMetrics ? lines[index]! : lines[index]!.replace(/\r$/, '');
    if (sawEof) throw new ExpositionError(lineNumber, 'text after `# EOF`');
    if (line.startsWith('#')) {
      if (openMetrics && line === '# EOF') {
        sawEof = true;
        continue;
      }
      readMetadata(line, lineNumber, openMetrics, types);
      continue;
    }
    if (line.trim() === '') {
      if (openMetrics) throw new ExpositionError(lineNumber, 'empty line (OpenMetrics allows none)');
      continue;
    }
    const sample = readSample(line, lineNumber, openMetrics);
    const key = seriesKey(sample.name, sample.labels);
    if (seen.has(key)) throw new ExpositionError(lineNumber, `duplicate series ${show(line)}`);
    seen.add(key);
    series.push(sample);
  }
  if (openMetrics && !sawEof) {
    throw new ExpositionError(lines.length, 'missing `# EOF`: the OpenMetrics exposition is truncated');
  }
  return { format, series, types };
}

function readMetadata(
  line: string,
  lineNumber: number,
  openMetrics: boolean,
  types: Map<string, string>,
): void {
  const match = /^#[ \t]+(HELP|TYPE|UNIT)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
  // Any other comment is allowed in the text format; OpenMetrics allows only these and `# EOF`.
  if (!match) {
    if (openMetrics)
      throw new ExpositionError(lineNumber, `not a HELP, TYPE, UNIT or EOF line: ${show(line)}`);
    return;
  }
  const [, keyword, family, rest] = match;
  if (keyword !== 'TYPE') return;
  const type = (rest ?? '').trim();
  const allowed = openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES;
  if (!allowed.has(type))
    throw new ExpositionError(lineNumber, `unknown metric type "${type}" for ${family}`);
  if (types.has(family!)) throw new ExpositionError(lineNumber, `second TYPE line for ${family}`);
  types.set(family!, type);
}

function readSample(line: string, lineNumber: number, openMetrics: boolean): ExposedSeries {
  const bad = (what: string) => new ExpositionError(lineNumber, `${what}: ${show(line)}`);
  // An index into the line, not slices of it: an exposition can have hundreds of thousands of lines.
  METRIC_NAME.lastIndex = 0;
  const name = METRIC_NAME.exec(line)?.[0];
  if (!name) throw bad('not a sample line (no metric name)');
  let pos = name.length;
  const isBlank = (at: number) => line[at] === ' ' || line[at] === '\t';
  // The text format allows blanks between the tokens of a label set; OpenMetrics does not.
  const skipBlanks = () => {
    if (!openMetrics) while (isBlank(pos)) pos++;
  };
  if (!openMetrics) {
    let next = pos;
    while (isBlank(next)) next++;
    if (line[next] === '{') pos = next;
  }
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      skipBlanks();
      if (line[pos] === '}') break;
      LABEL_NAME.lastIndex = pos;
      const labelName = LABEL_NAME.exec(line)?.[0];
      if (!labelName) throw bad('bad label name');
      pos += labelName.length;
      skipBlanks();
      if (line[pos] !== '=') throw bad(`label ${labelName} without ="value"`);
      pos++;
      skipBlanks();
      if (line[pos] !== '"') throw bad(`label ${labelName} without ="value"`);
      const value = readQuoted(line, pos + 1);
      if (!value) throw bad(`unterminated or badly escaped value of label ${labelName}`);
      if (Object.hasOwn(labels, labelName)) throw bad(`label ${labelName} given twice`);
      labels[labelName] = value.text;
      pos = value.end;
      skipBlanks();
      if (line[pos] === ',') {
        pos++;
        continue;
      }
      if (line[pos] === '}') break;
      throw bad('expected , or } after a label');
    }
    pos++;
  }
  if (!isBlank(pos)) throw bad('expected a space before the value');
  let rest = line.slice(pos);
  // OpenMetrics exemplars follow ` # `; they carry trace ids, not sample data.
  const exemplarAt = openMetrics ? rest.indexOf(' # ') : -1;
  if (exemplarAt !== -1) rest = rest.slice(0, exemplarAt);
  const fields = rest.trim().split(/[ \t]+/);
  if (fields.length === 0 || fields.length > 2 || fields[0] === '')
    throw bad('expected a value and an optional timestamp');
  const value = parseGoFloat(fields[0]!);
  if (value === null) throw bad(`value "${fields[0]}" is not a number`);
  let timestampMs: number | null = null;
  if (fields[1] !== undefined) {
    // The text format gives integer milliseconds, OpenMetrics (possibly fractional) seconds.
    const stamp = openMetrics
      ? parseGoFloat(fields[1])
      : /^-?\d+$/.test(fields[1])
        ? Number(fields[1])
        : null;
    if (stamp === null || !Number.isFinite(stamp)) throw bad(`timestamp "${fields[1]}" is not a number`);
    timestampMs = openMetrics ? Math.round(stamp * 1000) : stamp;
  }
  return { name, labels, value, timestampMs };
}

/**
 * A label value from just after its opening quote; `end` is the index after the closing quote.
 * `\\`, `\"` and `\n` are the escapes; like Prometheus' parser, any other backslash pair is kept as written.
 */
function readQuoted(line: string, start: number): { text: string; end: number } | null {
  const quote = line.indexOf('"', start);
  if (quote === -1) return null;
  const backslash = line.indexOf('\\', start);
  if (backslash === -1 || backslash > quote) return { text: line.slice(start, quote), end: quote + 1 };
  let value = '';
  for (let i = start; i < line.length; i++) {
    const char = line[i]!;
    if (char === '"') return { text: value, end: i + 1 };
    if (char === '\\') {
      const next = line[++i];
      if (next === undefined) return null;
      value += next === 'n' ? '\n' : next === '\\' || next === '"' ? next : `\\${next}`;
      continue;
    }
    value += char;
  }
  return null;
}

/** Go's strconv.ParseFloat as exporters write it: decimal and exponent forms, NaN and ±Inf in any case. */
export function parseGoFloat(text: string): number | null {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity')
    return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/** Identity of a series: its name and its label set, in any order. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  // NUL and SOH occur in no metric or label name, so different label sets give different keys.
  let key = name;
  for (const label of keys) key += `\u0000${label}\u0001${labels[label]}`;
  return key;
}

function show(line: string): string {
  return JSON.stringify(line.length > MAX_REPORTED_CHARS ? `${line.slice(0, MAX_REPORTED_CHARS)}…` : line);
}
