import { describe, expect, it } from 'vitest';
import { ExpositionError, formatOf, parseExposition } from '../../../src/providers/scrape/exposition.js';

const TEXT = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf -3982045
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
trailing_comma{a="1",} NaN
`;

const OPENMETRICS = `# TYPE foo counter
# HELP foo help text
foo_total{a="1"} 17.0 1520879607.789
foo_created{a="1"} 1520872607.123
# TYPE h histogram
# UNIT h seconds
h_bucket{le="1"} 11 # {trace_id="KOO5S4vxi0o"} 0.67 1520879607.789
h_bucket{le="+Inf"} 17
h_count 17
h_sum 324789.3
# EOF
`;

function errorOf(run: () => unknown): ExpositionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpositionError) return error;
    throw error;
  }
  throw new Error('expected an ExpositionError');
}

describe('Prometheus text format 0.0.4', () => {
  it('reads the format documentation example: labels, escapes, timestamps in ms, special values', () => {
    const { series, types, format } = parseExposition(TEXT, 'prometheus-text');
    expect(format).toBe('prometheus-text');
    expect(types.get('http_requests_total')).toBe('counter');
    expect(types.get('http_request_duration_seconds')).toBe('histogram');
    expect(series[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '200' },
      value: 1027,
      timestampMs: 1395066363000,
    });
    expect(series[1]!.value).toBe(3);
    expect(series[2]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(series[2]!.value).toBe(1.458255915e9);
    expect(series[3]).toEqual({
      name: 'metric_without_timestamp_and_labels',
      labels: {},
      value: 12.47,
      timestampMs: null,
    });
    expect(series[4]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(series[4]!.timestampMs).toBe(-3982045);
    expect(series[5]!.labels).toEqual({ le: '0.05' });
    expect(series[9]!.labels).toEqual({ a: '1' });
    expect(series[9]!.value).toBeNaN();
    expect(series).toHaveLength(10);
  });

  it('keeps unknown escapes as written and allows blanks before the labels, as Prometheus does', () => {
    const { series } = parseExposition('path_info {dir="C:\\tmp\\x",tab="a\\tb"} 1\n', 'prometheus-text');
    expect(series[0]).toMatchObject({ name: 'path_info', labels: { dir: 'C:\\tmp\\x', tab: 'a\\tb' } });
  });

  it('tolerates CRLF line ends and blank lines', () => {
    const { series } = parseExposition('a 1\r\n\r\nb{x="y"} 2\r\n', 'prometheus-text');
    expect(series.map((s) => [s.name, s.value])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it.each([
    ['<html><body>Login</body></html>', 1, 'no metric name'],
    ['foo{a=1} 3', 1, 'label a without ="value"'],
    ['foo 3 4 5', 1, 'expected a value and an optional timestamp'],
    ['ok 1\nfoo{a="1"} abc', 2, 'value "abc" is not a number'],
    ['foo{a="1} 3', 1, 'unterminated'],
    ['foo 1\nfoo 2', 2, 'duplicate series'],
    ['foo 1 1.5', 1, 'timestamp "1.5"'],
    ['# TYPE foo countr\nfoo 1', 1, 'unknown metric type "countr"'],
    ['foo{a="1",a="2"} 1', 1, 'label a given twice'],
  ])('refuses %j at line %i (%s)', (body, line, reason) => {
    const error = errorOf(() => parseExposition(body, 'prometheus-text'));
    expect(error.line).toBe(line);
    expect(error.reason).toContain(reason);
  });
});

describe('OpenMetrics 1.0', () => {
  it('reads counters with _total and _created, UNIT lines, exemplars and timestamps in seconds', () => {
    const { series, types } = parseExposition(OPENMETRICS, 'openmetrics');
    expect(types.get('foo')).toBe('counter');
    expect(series[0]).toEqual({
      name: 'foo_total',
      labels: { a: '1' },
      value: 17,
      timestampMs: 1520879607789,
    });
    expect(series[1]!.name).toBe('foo_created');
    // The exemplar after ` # ` is not part of the sample.
    expect(series[2]).toEqual({ name: 'h_bucket', labels: { le: '1' }, value: 11, timestampMs: null });
    expect(series.map((s) => s.name)).toEqual([
      'foo_total',
      'foo_created',
      'h_bucket',
      'h_bucket',
      'h_count',
      'h_sum',
    ]);
  });

  it('refuses a truncated exposition (no # EOF), text after it, and blank lines', () => {
    expect(errorOf(() => parseExposition('foo_total 1\n', 'openmetrics')).reason).toContain(
      'missing `# EOF`',
    );
    expect(errorOf(() => parseExposition('# EOF\nfoo 1\n', 'openmetrics')).line).toBe(2);
    expect(errorOf(() => parseExposition('a 1\n\nb 2\n# EOF\n', 'openmetrics')).reason).toContain(
      'empty line',
    );
    expect(errorOf(() => parseExposition('# random comment\n# EOF\n', 'openmetrics')).reason).toContain(
      'not a HELP, TYPE, UNIT or EOF line',
    );
  });

  it('is chosen by the Content-Type', () => {
    expect(formatOf('application/openmetrics-text')).toBe('openmetrics');
    expect(formatOf('text/plain')).toBe('prometheus-text');
    expect(formatOf('')).toBe('prometheus-text');
  });
});
