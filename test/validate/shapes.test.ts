import { describe, expect, it } from 'vitest';
import { graphiteShapeProblems, influxqlShapeProblems } from '../../src/validate/shapes.js';

describe('InfluxQL by shape', () => {
  it('accepts a query with $timeFilter, quotes and nested parentheses', () => {
    expect(
      influxqlShapeProblems(
        `SELECT mean("value") * (1 - 0.5) FROM "db"."rp"."http" WHERE "svc" = 'a(b' AND $timeFilter GROUP BY "host"`,
      ),
    ).toEqual([]);
  });

  it.each([
    [`SELECT mean("value" FROM "http" WHERE $timeFilter`, '"(" at column 12 is never closed'],
    [`SELECT mean("value")) FROM "http" WHERE $timeFilter`, '")" at column 21 closes nothing'],
    [`SELECT "value FROM http WHERE $timeFilter`, 'the quote " at column 8 is never closed'],
    [`SELECT v FROM http WHERE svc = 'api AND $timeFilter`, "the quote ' at column 32 is never closed"],
    [`SHOW MEASUREMENTS WHERE $timeFilter`, 'a query starts with SELECT'],
    [`SELECT mean(v) WHERE $timeFilter`, 'SELECT needs FROM <measurement>'],
    [
      `SELECT mean(v) FROM http`,
      'no $timeFilter: write WHERE $timeFilter so the monitor can choose the time window',
    ],
    [
      `SELECT mean(v) FROM http WHERE $timeFilter; DROP DATABASE app`,
      "one statement only: remove what follows ';'",
    ],
    [
      `SELECT mean(v) FROM http WHERE $timeFilter GROUP BY time(1m)`,
      'leave GROUP BY time(...) out: range queries add it with the report step',
    ],
  ])('%s → %s', (query, problem) => {
    expect(influxqlShapeProblems(query)).toEqual([problem]);
  });

  it('a FROM or a semicolon inside quotes does not count', () => {
    expect(influxqlShapeProblems(`SELECT "FROM;" WHERE $timeFilter`)).toEqual([
      'SELECT needs FROM <measurement>',
    ]);
  });
});

describe('Graphite targets by shape', () => {
  it('accepts functions, globs and quoted arguments', () => {
    expect(
      graphiteShapeProblems(`asPercent(sumSeries(app.{web,api}.errors), sumSeries(app.[ab]*.requests))`),
    ).toEqual([]);
    expect(graphiteShapeProblems(`summarize(app.p99, '5min', "max")`)).toEqual([]);
  });

  it.each([
    ['sumSeries(app.*.errors', '"(" at column 10 is never closed'],
    ['app.{web,api.errors', '"{" at column 5 is never closed'],
    ['sumSeries(app.[ab.errors)', '"[" at column 15 is closed by ")" at column 25'],
    [`summarize(app.p99, '5min, 'max')`, "the quote ' at column 31 is never closed"],
    [
      'asPercent(app.errors,, app.requests)',
      'an argument is empty (two commas, or a comma next to a parenthesis)',
    ],
  ])('%s → %s', (target, problem) => {
    expect(graphiteShapeProblems(target)).toEqual([problem]);
  });
});
