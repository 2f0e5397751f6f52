import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  boundError,
  codeToStatus,
  decodeReason,
  encodeReason,
  MAX_ERROR_LENGTH,
  statusToCode,
} from '../../src/store/codec.js';
import { openStore } from '../../src/store/index.js';
import type { MeasurementRow } from '../../src/store/types.js';
import { T0, tempDirs } from './support.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('reason compression', () => {
  it('decodes to exactly the text encoded, for any text and any dictionary', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.option(fc.string({ unit: 'binary' })), (reason, dict) => {
        const dictionary = dict === null || dict === '' ? null : Buffer.from(dict, 'utf8');
        expect(decodeReason(encodeReason(reason, dictionary), dictionary)).toBe(reason);
      }),
      { numRuns: 300 },
    );
  });

  it('shrinks a reason like its dictionary to a few bytes and leaves hopeless ones as text', () => {
    const dictionary = Buffer.from(
      'p95_latency = 412.5 ms, target < 500 ms: healthy (query q via prometheus "prod")',
    );
    const encoded = encodeReason(
      'p95_latency = 498.1 ms, target < 500 ms: healthy (query q via prometheus "prod")',
      dictionary,
    );
    expect(Buffer.isBuffer(encoded)).toBe(true);
    expect(encoded.length).toBeLessThan(16);
    expect(encodeReason('ok', dictionary)).toBe('ok');
    expect(encodeReason('anything', null)).toBe('anything');
    expect(() => decodeReason(Buffer.from([1, 2]), null)).toThrow(/no dictionary/);
  });

  it('still decodes reasons compressed with zlib defaults (a 32 KB window), as rows written before were', () => {
    const dictionary = Buffer.from(
      'error rate = 0.12 %, target < 0.5 %: healthy (query q via prometheus "prod")',
    );
    const reason = 'error rate = 0.31 %, target < 0.5 %: healthy (query q via prometheus "prod")';
    const older = deflateRawSync(reason, { dictionary, level: 9 });
    expect(decodeReason(older, dictionary)).toBe(reason);
    // The smaller window loses nothing on reasons like these.
    expect((encodeReason(reason, dictionary) as Buffer).length).toBeLessThanOrEqual(older.length);
  });
});

describe('status codes and errors', () => {
  it('maps every status to a code and back', () => {
    for (const status of ['healthy', 'breached', 'unknown'] as const) {
      expect(codeToStatus(statusToCode(status))).toBe(status);
    }
    expect(() => statusToCode('fine' as 'healthy')).toThrow(/unknown measurement status/);
    expect(() => codeToStatus(7)).toThrow(/code 7/);
  });

  it('bounds long errors and leaves short ones alone', () => {
    expect(boundError('HTTP 500')).toBe('HTTP 500');
    const long = boundError('y'.repeat(MAX_ERROR_LENGTH * 3));
    expect(long).toHaveLength(MAX_ERROR_LENGTH);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('measurement round trip through SQLite', () => {
  it('returns every field as committed, for arbitrary values and reasons', () => {
    const store = openStore(join(dirs.make(), 'monitor.db'));
    let second = 0;
    const row = fc.record({
      metric: fc.constantFrom('p95_latency', 'error_rate', 'availability'),
      // SQLite stores NaN as NULL and -0 as 0: neither is a value this monitor produces.
      value: fc.option(fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0))),
      slo: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0))),
      status: fc.constantFrom('healthy', 'breached', 'unknown') as fc.Arbitrary<MeasurementRow['status']>,
      reason: fc.string({ unit: 'binary', maxLength: 400 }),
    });
    fc.assert(
      fc.property(row, (r) => {
        second += 1;
        const committed: MeasurementRow = {
          ...r,
          at: new Date(T0.getTime() + second * 1000),
          specId: 'prop',
        };
        store.commitCycle({
          at: committed.at,
          measurements: [committed],
          alertStates: [],
          notifications: [],
        });
        const read = store.measurements({
          specId: 'prop',
          metric: r.metric,
          from: committed.at,
          to: new Date(committed.at.getTime() + 1),
        });
        expect(read).toEqual([committed]);
      }),
      { numRuns: 300 },
    );
    store.close();
  });
});
