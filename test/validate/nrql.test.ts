import { describe, expect, it } from 'vitest';
import { checkNrqlShape, windowClausesIn } from '../../src/validate/nrql.js';

describe('NRQL checked by shape', () => {
  it('accepts SELECT … FROM … in either order, with WHERE, FACET-free aggregates and quoted text', () => {
    expect(checkNrqlShape("SELECT percentile(duration, 99) FROM Transaction WHERE appName = 'api'")).toEqual(
      [],
    );
    expect(checkNrqlShape('FROM Transaction SELECT count(*) WHERE error IS true')).toEqual([]);
    // Words inside strings are not clauses.
    expect(checkNrqlShape("SELECT count(*) FROM Log WHERE message = 'since (until'")).toEqual([]);
  });

  it('names each problem with what to write', () => {
    expect(checkNrqlShape('percentile(duration, 99) FROM Transaction')).toEqual([
      'no SELECT: write e.g. SELECT count(*) FROM Transaction',
    ]);
    expect(checkNrqlShape('SELECT count(*)')).toEqual(['no FROM <event type>: e.g. FROM Transaction']);
    expect(checkNrqlShape('SELECT count(* FROM Transaction')).toEqual(['a "(" is not closed']);
    expect(checkNrqlShape("SELECT count(*) FROM Transaction WHERE appName = 'api")).toEqual([
      "unclosed ' quote: close the string or the backquoted name",
    ]);
    expect(checkNrqlShape('SELECT count(*) FROM Transaction SINCE 1 hour ago TIMESERIES')).toEqual([
      'remove SINCE: the monitor adds SINCE/UNTIL for the evaluation window (and TIMESERIES for reports) itself',
      'remove TIMESERIES: the monitor adds SINCE/UNTIL for the evaluation window (and TIMESERIES for reports) itself',
    ]);
  });

  it('finds window clauses case-insensitively, outside literals only', () => {
    expect(windowClausesIn('select count(*) from X compare  with 1 week ago')).toEqual(['COMPARE WITH']);
    expect(windowClausesIn("SELECT count(*) FROM X WHERE a = 'until'")).toEqual([]);
  });
});
