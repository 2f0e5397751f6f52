import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readMarkdown, readMarkdownCounted, readMarkdownWhole } from '../../src/spec/markdown.js';
import { parseNfrs, parseNfrsWith } from '../../src/spec/parse.js';

/** Both readings of a document: the trees (every node, every position) and what parseNfrs makes of them. */
function expectSameReading(markdown: string): number {
  const { tree, rowsReadApart } = readMarkdownCounted(markdown);
  expect(tree).toStrictEqual(readMarkdownWhole(markdown));
  expect(parseNfrsWith(markdown, readMarkdown)).toStrictEqual(parseNfrsWith(markdown, readMarkdownWhole));
  return rowsReadApart;
}

const HEADER = '| ID | Metric | Requirement | Target |\n|---|:---|:---:|---:|';
const row = (index: number) =>
  `| NFR-${index} | \`api_latency_${index}\` | Latency ${index} | < ${index} ms |`;
const rows = (count: number, from = 1) => Array.from({ length: count }, (_, i) => row(from + i)).join('\n');
const table = (count: number) => `${HEADER}\n${rows(count)}`;

describe('readMarkdown: long tables read line by line give micromark’s tree', () => {
  it('reads a table of 10,000 NFRs almost wholly apart, with the NFRs, lines and warnings of the whole reading', () => {
    const markdown = `# Spec\n\n## Non-Functional Requirements\n\n${table(10_000)}\n\n## Next\n\nText.\n`;
    const { rowsReadApart } = readMarkdownCounted(markdown);
    // A delimiter row with alignment colons stays with micromark, so the run starts at the first body row:
    // its first three rows go to micromark too (they might have been a header and delimiter), the rest is
    // read apart.
    expect(rowsReadApart).toBe(9_997);
    const result = parseNfrs(markdown);
    expect(result.nfrs).toHaveLength(10_000);
    expect(result.nfrs[9_999]).toMatchObject({ id: 'NFR-10000', metric: 'api_latency_10000', line: 10_006 });
    expect(result).toStrictEqual(parseNfrsWith(markdown, readMarkdownWhole));
  });

  const CASES: Record<string, string> = {
    'a paragraph line right after the rows (a body row too)': `${table(40)}\nafter`,
    'the rows at the end of the file, no newline': `intro\n\n${table(40)}`,
    'the rows at the end of the file, with newline': `intro\n\n${table(40)}\n`,
    'a setext underline after the rows': `${table(40)}\n---\ntext`,
    'two long tables, blank line between': `${table(30)}\n\n${table(25)}\n`,
    'two long tables, no blank line between': `${table(30)}\n${table(25)}\n`,
    'a table inside a code fence': `\`\`\`\n${table(40)}\n\`\`\`\n\n${table(20)}`,
    'a table inside an unclosed code fence': `~~~md\n${table(40)}\n`,
    'a table inside an HTML block': `<div>\n${table(40)}\n</div>\n`,
    'a table inside an HTML comment': `<!--\n${table(40)}\n-->\n${table(20)}`,
    'a table after a list item (lazy lines)': `- item\n${table(40)}\n`,
    'a table inside a list item': `- item\n\n  ${HEADER.replace('\n', '\n  ')}\n${rows(40)
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n')}\n${rows(30)}`,
    'a table inside a block quote, then lazy rows': `> ${HEADER.replace('\n', '\n> ')}\n> ${row(1)}\n${rows(40)}`,
    'a table after a paragraph line': `text\n${table(40)}`,
    'an indented code block before the table': `    code\n${table(40)}`,
    'link references used and defined around the table': `[a]\n\n${HEADER}\n${rows(20)}\n| [a] | b |\n${rows(20)}\n\n[a]: /url\n`,
    'escaped pipes, code spans with pipes, empty and ragged cells': `${HEADER}\n${Array.from(
      { length: 60 },
      (_, i) =>
        [
          `| a \\| b | \`x \\| y\` | | ${i} |`,
          `| \`a|b\` | c |`,
          '|||',
          '|',
          `| \\\\| x | y |  `,
          `| \` \` | \`\` a\`b \`\` | \\\` | < 5 & 6 |`,
          `| a_b | __ | x_ | 😀 é\u00a0 | ! ] > # = + |`,
          `| \\* | \\[x] | x\\_y | a | b | c | d | e |`,
        ][i % 8],
    ).join('\n')}`,
    'rows micromark must read in the middle of a long table (two runs in one table)': `${HEADER}\n${rows(30)}\n| **bold** | [link](/x) | <b>x</b> | &amp; |\n${rows(30, 31)}\n\nafter\n`,
    'a row without a header first': `| a |\n${rows(40)}`,
    'a delimiter row that does not match the header': `| a | b |\n|---|\n${rows(40)}`,
    'carriage returns (read whole)': `${table(40)}`.replace(/\n/g, '\r\n'),
  };
  for (const [name, markdown] of Object.entries(CASES)) {
    it(name, () => {
      expectSameReading(markdown);
    });
  }

  it('reads rows apart in the cases where it can (so that the comparisons above compare something)', () => {
    expect(expectSameReading(CASES['the rows at the end of the file, no newline'] ?? '')).toBe(37);
    expect(expectSameReading(CASES['two long tables, no blank line between'] ?? '')).toBeGreaterThan(40);
    expect(
      expectSameReading(
        CASES['rows micromark must read in the middle of a long table (two runs in one table)'] ?? '',
      ),
    ).toBe(27 + 27);
    // The fenced table's rows are put back; the table after the fence is read apart.
    expect(expectSameReading(CASES['a table inside a code fence'] ?? '')).toBe(17);
    expect(expectSameReading(CASES['a table inside an unclosed code fence'] ?? '')).toBe(0);
    expect(expectSameReading(CASES['carriage returns (read whole)'] ?? '')).toBe(0);
  });
});

// ---- random documents ---------------------------------------------------------------------------------------

const PLAIN_PIECES = [
  'a',
  'Latency',
  '99.9%',
  ' ',
  '  ',
  '\\|',
  '\\',
  '\\\\',
  '`',
  '``',
  '`x|y`',
  '`m_1`',
  '` a `',
  '`` ` ``',
  '\\`',
  '< 5',
  '<=',
  ' & ',
  'a_b',
  '!',
  ']',
  '😀',
  'é',
  '\u00a0',
  '-',
  '#',
  '>',
  '---',
  '=',
  '+',
  '1.',
  '\\*',
  '\\[',
  'NFR-1',
];
const ANY_PIECES = [
  '*',
  '**b**',
  '_',
  '_e_',
  '[x]',
  '[x](/u)',
  '![i](/i)',
  '[^1]',
  '~s~',
  '<b>',
  '<http://a>',
  'http://a.b',
  'www.a.b',
  'x@y.z',
  ':',
  '&amp;',
  '&#35;',
  '\t',
  '\0',
  '<!--',
];
const plainCell = fc.array(fc.constantFrom(...PLAIN_PIECES), { maxLength: 4 }).map((parts) => parts.join(''));
const anyCell = fc
  .array(fc.oneof(fc.constantFrom(...PLAIN_PIECES, ...ANY_PIECES), fc.string({ maxLength: 6 })), {
    maxLength: 4,
  })
  .map((parts) => parts.join(''));
const tableRow = fc
  .tuple(
    fc.array(fc.oneof({ arbitrary: plainCell, weight: 60 }, { arbitrary: anyCell, weight: 1 }), {
      minLength: 1,
      maxLength: 5,
    }),
    fc.constantFrom('|', ' | ', '| '),
    fc.constantFrom('|', '|', '|', '', ' |'),
    fc.constantFrom('', '', '', '  '),
    fc.oneof({ arbitrary: fc.constant('|'), weight: 80 }, { arbitrary: fc.constant(''), weight: 1 }),
  )
  .map(([cells, separator, last, trailing, first]) => `${first}${cells.join(separator)}${last}${trailing}`);
/** Mostly delimiter rows that make a table of the two-column header; some that do not. */
const delimiter = fc.oneof(
  { arbitrary: fc.constantFrom('|---|---|', '| :-- | --: |', '---|---', '|:-:|:-|'), weight: 6 },
  { arbitrary: fc.constantFrom('|:-:|', '|---|---|---|', '| - |'), weight: 1 },
);
const BLOCKS = [
  '',
  '',
  '# Spec',
  '## Non-Functional Requirements',
  '### Performance',
  'Performance\n===',
  'NFRs\n---',
  'Some text.',
  '- item',
  '- **Latency:** < 200 ms',
  '  - nested',
  '1. one',
  '\tindented by a tab',
  'a\tb',
  '> quote',
  '    code',
  '</div>',
  '-->',
  '[x]: /url',
  '[^1]: note',
  '***',
  '| a |',
];
/** Blocks that swallow what follows, up to their end or a blank line. */
const OPENERS = ['```', '~~~', '<div>', '<!--'];
const PREFIXES = ['', '', '', '', '', '', '> ', '- ', '  ', '    ', '1. '];
const tableBlock = fc
  .tuple(
    fc.constantFrom(...PREFIXES),
    fc.oneof({ arbitrary: fc.constant(true), weight: 5 }, { arbitrary: fc.constant(false), weight: 1 }),
    delimiter,
    fc.array(tableRow, { minLength: 25, maxLength: 60 }),
    fc.option(fc.tuple(fc.constantFrom(...BLOCKS, ...OPENERS), fc.nat()), { freq: 3 }),
  )
  .map(([prefix, withHead, delimiterRow, body, interruption]) => {
    const lines = withHead ? ['| Metric | Target |', delimiterRow] : [];
    lines.push(...body);
    // A block among the rows, sometimes.
    if (interruption) lines.splice(interruption[1] % lines.length, 0, interruption[0]);
    return lines.map((line, index) => (index < 3 || index % 7 !== 0 ? prefix + line : line)).join('\n');
  });
const fencedTable = tableBlock.map((block) => `\`\`\`\n${block}\n\`\`\``);
const document = fc
  .tuple(
    fc.array(
      fc.oneof(
        { arbitrary: tableBlock, weight: 4 },
        { arbitrary: fencedTable, weight: 1 },
        { arbitrary: fc.constantFrom(...BLOCKS), weight: 4 },
        { arbitrary: fc.constantFrom(...OPENERS), weight: 1 },
      ),
      { minLength: 1, maxLength: 8 },
    ),
    fc.constantFrom('', '\n'),
  )
  .map(([blocks, end]) => blocks.join('\n') + end);

describe('readMarkdown on random documents', () => {
  it('gives the tree of readMarkdownWhole, positions included, and the same NFRs and warnings', () => {
    let readApart = 0;
    let runs = 0;
    fc.assert(
      fc.property(document, (markdown) => {
        runs++;
        if (expectSameReading(markdown) > 0) readApart++;
      }),
      { numRuns: 150 },
    );
    // The comparison must exercise the rows read apart, not only documents read whole (about one document in
    // five does; the bound is far enough below that for 150 runs never to miss it by chance).
    expect(readApart / runs).toBeGreaterThan(0.05);
  });
});
