import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NfrParseResult } from '../../src/spec/index.js';
import { parseNfrs, parseTarget } from '../../src/spec/index.js';

const COMPARATORS = [
  '<',
  '<=',
  '≤',
  '>',
  '>=',
  '≥',
  '=',
  '==',
  '=<',
  'under',
  'within',
  'at least',
  'max',
  '',
];
const UNITS = [
  'ms',
  ' ms',
  's',
  'sec',
  'seconds',
  'min',
  'h',
  '%',
  ' %',
  'rps',
  'tps',
  'req/s',
  'µs',
  'ns',
  '',
  'MB',
  'xx',
];
const WORDS = [
  'p99',
  'P95',
  'latency',
  'Uptime',
  'error rate',
  'availability',
  'throughput',
  '`metric_name`',
  '**bold**',
  '\\|',
  '|',
  '{{x}}',
  '99.X',
  'monthly',
  '(30d)',
  'N/A',
];
const NFR_HEADINGS = [
  'Non-Functional Requirements',
  'Non\u2011Functional Requirements (NFR)',
  'NFRs',
  'SLO',
  'SLA',
  'Performance Requirements',
  'Latency Targets',
  'Availability & SLA',
  'Reliability',
  '8. Non-Functional Requirements',
];
const HEADERS = [
  'Metric',
  'Target',
  'Requirement',
  'Category',
  'ID',
  'Threshold',
  'Notes',
  'P95',
  'Target p50',
  'SLI',
  '',
];

const quantity = fc
  .tuple(
    fc.constantFrom(...COMPARATORS),
    fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.constantFrom(0.1, 99.9, 0.999, 1e21, 1e-9)),
    fc.constantFrom(...UNITS),
  )
  .map(([comparator, value, unit]) => `${comparator} ${value}${unit}`);

const cellText = fc.oneof(quantity, fc.constantFrom(...WORDS), fc.string({ maxLength: 20 }), fc.constant(''));
const phrase = fc.array(cellText, { maxLength: 5 }).map((parts) => parts.join(' '));

const heading = fc
  .tuple(
    fc.integer({ min: 1, max: 6 }),
    fc.oneof({ arbitrary: fc.constantFrom(...NFR_HEADINGS), weight: 3 }, fc.string({ maxLength: 30 })),
  )
  .map(([depth, text]) => `${'#'.repeat(depth)} ${text}`);

const table = fc
  .tuple(
    fc.array(fc.constantFrom(...HEADERS), { minLength: 1, maxLength: 5 }),
    fc.array(fc.array(cellText, { maxLength: 6 }), { maxLength: 5 }),
  )
  .map(([headers, rows]) =>
    [
      `| ${headers.join(' | ')} |`,
      `|${headers.map(() => '---').join('|')}|`,
      ...rows.map((cells) => `| ${cells.map((cell) => cell.replace(/\n/g, ' ')).join(' | ')} |`),
    ].join('\n'),
  );

const listItem = fc
  .tuple(
    fc.constantFrom('- ', '* ', '1. ', '- [ ] ', '  - ', '    - '),
    fc.oneof(
      phrase,
      fc.tuple(fc.constantFrom(...WORDS), quantity).map(([label, target]) => `**${label}**: ${target}`),
      fc.tuple(fc.constantFrom(...WORDS), quantity).map(([label, target]) => `${label}: ${target}`),
    ),
  )
  .map(([marker, text]) => marker + text);

const block = fc.oneof(
  { arbitrary: heading, weight: 2 },
  { arbitrary: table, weight: 2 },
  { arbitrary: listItem, weight: 4 },
  phrase,
  fc.string({ maxLength: 80 }),
  fc.constantFrom('```', '---', '> quote', '<div>', '', '\r\n', '\t', '**Latency:**', '| a |'),
);

const markdown = fc
  .tuple(fc.array(block, { maxLength: 25 }), fc.constantFrom('\n', '\n\n', '\r\n'))
  .map(([blocks, separator]) => blocks.join(separator));

function expectWellFormed(text: string, result: NfrParseResult): void {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  expect(Array.isArray(result.warnings)).toBe(true);
  for (const warning of result.warnings) expect(typeof warning).toBe('string');
  for (const nfr of result.nfrs) {
    expect(Number.isInteger(nfr.line)).toBe(true);
    expect(nfr.line).toBeGreaterThanOrEqual(1);
    expect(nfr.line).toBeLessThanOrEqual(lineCount);
    expect(nfr.metric.length).toBeGreaterThan(0);
    expect(nfr.metric).toBe(nfr.metric.trim());
    expect(nfr.requirement.length).toBeGreaterThan(0);
    expect(typeof nfr.target).toBe('string');
    if (nfr.objective === null) {
      expect(nfr.unmonitorableReason).toEqual(expect.any(String));
      expect(nfr.unmonitorableReason?.length).toBeGreaterThan(0);
    } else {
      expect(nfr.unmonitorableReason).toBeNull();
      expect(['<', '<=', '>', '>=', '=']).toContain(nfr.objective.comparator);
      expect(['ns', 'us', 'ms', 's', 'min', 'h', '%', 'ratio', 'rps', 'rpm', 'count']).toContain(
        nfr.objective.unit,
      );
      expect(Number.isFinite(nfr.objective.threshold)).toBe(true);
      if (nfr.objective.percentile !== null) expect(nfr.objective.percentile).toMatch(/^p\d{1,2}(\.\d+)?$/);
    }
  }
}

describe('parseNfrs never throws and always returns well-formed records (property)', () => {
  it('on generated NFR-like markdown', () => {
    let withObjective = 0;
    let unmonitorable = 0;
    fc.assert(
      fc.property(markdown, (text) => {
        const result = parseNfrs(text);
        expectWellFormed(text, result);
        withObjective += result.nfrs.filter((nfr) => nfr.objective !== null).length;
        unmonitorable += result.nfrs.filter((nfr) => nfr.objective === null).length;
      }),
      { numRuns: 400 },
    );
    // The generator must reach both outcomes, or the property proves little.
    expect(withObjective).toBeGreaterThan(50);
    expect(unmonitorable).toBeGreaterThan(50);
  });

  it('on arbitrary strings, also inside an NFR section', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'grapheme' }), (text) => {
        expectWellFormed(text, parseNfrs(text));
        const inSection = `## Non-Functional Requirements\n\n${text}`;
        expectWellFormed(inSection, parseNfrs(inSection));
      }),
      { numRuns: 300 },
    );
  });

  it('finds every generated `- Label: < N ms` item under an NFR heading', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,15}[A-Za-z]$/),
            fc.integer({ min: 1, max: 10_000 }),
          ),
          {
            minLength: 1,
            maxLength: 10,
          },
        ),
        (items) => {
          const text = `## SLO\n\n${items.map(([label, value]) => `- ${label}: < ${value} ms`).join('\n')}\n`;
          const result = parseNfrs(text);
          expect(result.nfrs.map((nfr) => [nfr.line, nfr.objective?.threshold, nfr.objective?.unit])).toEqual(
            items.map(([, value], index) => [index + 3, value, 'ms']),
          );
        },
      ),
    );
  });
});

describe('parseTarget never throws (property)', () => {
  it('on arbitrary text and context', () => {
    fc.assert(
      fc.property(
        fc.oneof(quantity, phrase, fc.string({ maxLength: 200 })),
        phrase,
        phrase,
        (text, metric, requirement) => {
          const result = parseTarget(text, { metric, requirement, category: null });
          expect((result.objective === null) !== (result.reason === null)).toBe(true);
          if (result.objective) expect(Number.isFinite(result.objective.threshold)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
