import { describe, expect, it } from 'vitest';
import { listSeries } from '../../src/providers/failures.js';

describe('listSeries', () => {
  it('names up to three series and counts the rest', () => {
    const label = (n: number) => `s${n}`;
    expect(listSeries([1], label, ', ')).toBe('s1');
    expect(listSeries([1, 2, 3], label, '; ')).toBe('s1; s2; s3');
    expect(listSeries([1, 2, 3, 4, 5], label, ', ')).toBe('s1, s2, s3, and 2 more');
  });

  it('labels only the series it names', () => {
    let labelled = 0;
    listSeries(
      Array.from({ length: 1000 }, (_, i) => i),
      (n) => `${labelled++}:${n}`,
      ', ',
    );
    expect(labelled).toBe(3);
  });
});
