import { describe, expect, it } from 'vitest';
import { parseRender } from '../../src/providers/graphite.js';

describe('the Graphite render answer', () => {
  it('reads [value, seconds] pairs in that order, nulls kept as null', () => {
    expect(
      parseRender(
        '[{"target":"a.b","tags":{"name":"a.b"},"datapoints":[[0.5,1700000000],[null,1700000060]]}]',
      ),
    ).toEqual([
      {
        target: 'a.b',
        points: [
          { at: new Date(1_700_000_000_000), value: 0.5 },
          { at: new Date(1_700_000_060_000), value: null },
        ],
      },
    ]);
    expect(parseRender('[]')).toEqual([]);
  });

  it.each([
    ['<html>error</html>'],
    ['{"target":"a","datapoints":[]}'],
    ['[{"target":"a"}]'],
    ['[{"target":"a","datapoints":[["1",1700000000]]}]'],
    ['[{"target":"a","datapoints":[[1,"1700000000"]]}]'],
  ])('refuses %s', (body) => {
    expect(parseRender(body)).toBeNull();
  });
});
