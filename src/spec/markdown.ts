import type { PhrasingContent, Root, RootContent, Table, TableCell, TableRow } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';

/** A position in the source (mdast's unist Point). */
type Point = NonNullable<Root['position']>['start'];

/**
 * CommonMark with GitHub's extensions (tables above all), straight from micromark to mdast: what
 * remark-parse + remark-gfm do, without unified, vfile and the Markdown writer they bring along.
 */
const markdownOptions = { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] };

/** The whole document through micromark: the reference reading (slow on tables of thousands of rows). */
export function readMarkdownWhole(text: string): Root {
  return fromMarkdown(text, markdownOptions);
}

/** Runs of table rows shorter than this are left to micromark: reading them apart saves nothing. */
const MIN_ROWS_READ_APART = 16;

/** Rows kept at the start of a run of pipe lines: they may be a table's header and delimiter rows. */
const LEADING_ROWS_KEPT = 3;

/** Attempts at reading the text without the runs: each drops the runs whose anchor micromark did not confirm. */
const MAX_ATTEMPTS = 3;

/** Rows of the document (0-based line `first` on) that can be read line by line. */
interface Run {
  first: number;
  rows: TableRow[];
  /** Characters of the rows, a newline each included. */
  chars: number;
}

/** Rows read line by line, spliced into a table micromark read, after its row at `anchorLine`. */
interface RowsReadApart {
  /** Line (in the text micromark read) of the body row the rows follow. */
  anchorLine: number;
  rows: TableRow[];
  chars: number;
}

/**
 * The same tree as readMarkdownWhole, in time linear in the size of the document. micromark costs about
 * half a millisecond and tens of kilobytes of garbage per table row (8,000 rows: seconds and 500 MB,
 * bench/spec-tables.ts), so long runs of plain body rows are taken out of the text micromark reads and
 * read line by line, then spliced back with their own positions. Exact, not heuristic:
 * - only lines starting with `|` whose cells hold plain text, escapes and code spans are read apart
 *   (anything that could be emphasis, a link, HTML, an entity or an autolink stays with micromark);
 * - the row before each run taken out must come back from micromark as a body row of a table at the top
 *   of the document. After such a row, every line starting with `|` is another body row of the same table
 *   and leaves the parser in the same state, whatever its cells hold, so the rest of the document reads
 *   the same with or without the run;
 * - runs whose row before is not one (a table inside a list, quote, code fence or HTML block) are put
 *   back and the text read again; after MAX_ATTEMPTS, the whole document goes to micromark.
 * test/spec/markdown.test.ts compares both readings on random documents, positions included.
 */
export function readMarkdown(text: string): Root {
  return readMarkdownCounted(text).tree;
}

/** readMarkdown, telling how many rows were read apart from micromark (for tests and benchmarks). */
export function readMarkdownCounted(text: string): { tree: Root; rowsReadApart: number } {
  const whole = () => ({ tree: readMarkdownWhole(text), rowsReadApart: 0 });
  // A carriage return ends a line for micromark, a byte-order mark is not counted: lines or offsets would
  // differ; not worth following for the rare spec that has them.
  if (text.length < MIN_ROWS_READ_APART * 8 || text.includes('\r') || text.startsWith('\uFEFF'))
    return whole();
  const lines = text.split('\n');
  let runs = findRuns(lines);
  for (let attempt = 0; attempt < MAX_ATTEMPTS && runs.length > 0; attempt++) {
    const kept: string[] = [];
    const apart: RowsReadApart[] = [];
    let next = 0;
    for (const run of runs) {
      for (; next < run.first; next++) kept.push(lines[next] ?? '');
      apart.push({ anchorLine: kept.length, rows: run.rows, chars: run.chars });
      next = run.first + run.rows.length;
    }
    for (; next < lines.length; next++) kept.push(lines[next] ?? '');
    const tree = readMarkdownWhole(kept.join('\n'));
    const confirmed = confirmedAnchors(tree, apart);
    if (confirmed.length === apart.length) {
      spliceRows(tree, confirmed);
      return { tree, rowsReadApart: runs.reduce((sum, run) => sum + run.rows.length, 0) };
    }
    const confirmedLines = new Set(confirmed.map((anchor) => anchor.rows.anchorLine));
    runs = runs.filter((_run, index) => confirmedLines.has(apart[index]?.anchorLine ?? 0));
  }
  return whole();
}

/** Runs of lines that readRow reads, less their first LEADING_ROWS_KEPT lines; only runs long enough. */
function findRuns(lines: readonly string[]): Run[] {
  const runs: Run[] = [];
  let offset = 0;
  let index = 0;
  while (index < lines.length) {
    const rows: TableRow[] = [];
    let runOffset = offset;
    let keptChars = 0;
    let end = index;
    for (; end < lines.length; end++) {
      const line = lines[end] ?? '';
      const row = line.startsWith('|') ? readRow(line, end + 1, runOffset) : null;
      if (!row) break;
      rows.push(row);
      runOffset += line.length + 1;
      if (rows.length === LEADING_ROWS_KEPT) keptChars = runOffset - offset;
    }
    if (rows.length - LEADING_ROWS_KEPT >= MIN_ROWS_READ_APART) {
      runs.push({
        first: index + LEADING_ROWS_KEPT,
        rows: rows.slice(LEADING_ROWS_KEPT),
        chars: runOffset - offset - keptChars,
      });
      offset = runOffset;
      index = end;
    } else {
      // Not a long run: go on after the line that ended it.
      const stop = Math.min(end + 1, lines.length);
      for (; index < stop; index++) offset += (lines[index]?.length ?? 0) + 1;
    }
  }
  return runs;
}

interface Anchor {
  table: Table;
  rowIndex: number;
  rows: RowsReadApart;
}

/** The anchors that micromark read as a body row of a table at the top of the document. */
function confirmedAnchors(tree: Root, apart: readonly RowsReadApart[]): Anchor[] {
  const byAnchor = new Map(apart.map((rows) => [rows.anchorLine, rows]));
  const anchors: Anchor[] = [];
  for (const node of tree.children) {
    if (node.type !== 'table') continue;
    node.children.forEach((row, rowIndex) => {
      const rows = rowIndex > 0 ? byAnchor.get(row.position?.start.line ?? 0) : undefined;
      if (rows) anchors.push({ table: node, rowIndex, rows });
    });
  }
  return anchors;
}

/** Puts the rows read apart back after their anchors (in line order) and moves what follows. */
function spliceRows(tree: Root, anchors: readonly Anchor[]): void {
  // Lines and characters taken out before each anchor's following line, cumulative, in line order.
  const shifts: Array<{ after: number; lines: number; chars: number }> = [];
  let lines = 0;
  let chars = 0;
  for (const { rows } of anchors) {
    lines += rows.rows.length;
    chars += rows.chars;
    shifts.push({ after: rows.anchorLine, lines, chars });
  }
  const move = (point: Point): Point => {
    // The last shift whose anchor is above the point.
    let low = 0;
    let high = shifts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((shifts[middle]?.after ?? 0) < point.line) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    const shift = shifts[found];
    return shift
      ? { line: point.line + shift.lines, column: point.column, offset: (point.offset ?? 0) + shift.chars }
      : point;
  };
  const moveAll = (node: Root | RootContent): void => {
    if (node.position) node.position = { start: move(node.position.start), end: move(node.position.end) };
    if ('children' in node) for (const child of node.children) moveAll(child);
  };
  // An ancestor ending with the anchor row (the table, the document) now ends with the last row put back.
  const endsAtAnchor = new Map<Root | Table, TableRow>();
  for (const { table, rowIndex, rows } of anchors) {
    const anchorEnd = table.children[rowIndex]?.position?.end;
    const last = rows.rows[rows.rows.length - 1];
    if (!anchorEnd || !last) continue;
    for (const ancestor of [table, tree]) {
      const end = ancestor.position?.end;
      if (end && end.line === anchorEnd.line && end.column === anchorEnd.column)
        endsAtAnchor.set(ancestor, last);
    }
  }
  moveAll(tree);
  for (const [ancestor, last] of endsAtAnchor) {
    if (ancestor.position && last.position) ancestor.position.end = { ...last.position.end };
  }
  // From the last anchor up, so that the row indexes found above stay right.
  for (const { table, rowIndex, rows } of [...anchors].reverse()) {
    table.children.splice(rowIndex + 1, 0, ...rows.rows);
  }
}

// ---- one body row, line by line -------------------------------------------------------------------------

function pointAt(line: number, lineOffset: number, index: number): Point {
  return { line, column: index + 1, offset: lineOffset + index };
}

/**
 * A body row starting with `|`, as micromark-extension-gfm-table and mdast-util-gfm-table read it: cells
 * split at unescaped pipes; each cell from its pipe to the next cell's pipe (the last to the end of the
 * line; a last pipe with nothing after it closes the cell before); its text trimmed of spaces.
 * Null when a cell holds anything readCell does not read exactly.
 */
function readRow(line: string, lineNumber: number, lineOffset: number): TableRow | null {
  // Tabs (virtual spaces) and NUL (read as U+FFFD) stay with micromark.
  if (line.includes('\t') || line.includes('\0')) return null;
  const pipes: number[] = [];
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '\\' && (line[index + 1] === '\\' || line[index + 1] === '|')) index++;
    else if (char === '|') pipes.push(index);
  }
  const at = (index: number) => pointAt(lineNumber, lineOffset, index);
  const starts = [...pipes];
  // A last pipe followed by spaces only starts no cell (unless it is the only pipe).
  if (starts.length > 1 && /^ *$/.test(line.slice((starts[starts.length - 1] ?? 0) + 1))) starts.pop();
  const cells: TableCell[] = [];
  for (let cell = 0; cell < starts.length; cell++) {
    const start = starts[cell] ?? 0;
    const end = cell + 1 < starts.length ? (starts[cell + 1] ?? line.length) : line.length;
    const contentEnd = cell + 1 < pipes.length ? (pipes[cell + 1] ?? line.length) : line.length;
    let from = start + 1;
    let to = contentEnd;
    while (from < to && line[from] === ' ') from++;
    while (to > from && line[to - 1] === ' ') to--;
    const children = from < to ? readCell(line, from, to, at) : [];
    if (!children) return null;
    cells.push({ type: 'tableCell', children, position: { start: at(start), end: at(end) } });
  }
  return { type: 'tableRow', children: cells, position: { start: at(0), end: at(line.length) } };
}

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const ASCII_ALPHANUMERIC = /[A-Za-z0-9]/;
/** Characters readCell looks at; the others are text. */
const MAY_MEAN_SOMETHING = new Set([...'`\\<&_*[~@:'].map((char) => char.charCodeAt(0)));

/**
 * The inline content of a cell when it is plain text, backslash escapes, code spans, and characters that
 * only look special (`< 200ms`, `R & D`, `p99_latency`); null for anything else (emphasis, links, images,
 * strikethrough, HTML, entities, autolinks): micromark reads those.
 */
function readCell(
  line: string,
  from: number,
  to: number,
  at: (index: number) => Point,
): PhrasingContent[] | null {
  if (/www\./i.test(line.slice(from, to))) return null;
  const nodes: PhrasingContent[] = [];
  let text: { value: string; start: number; end: number } | null = null;
  const addText = (value: string, start: number, end: number) => {
    if (text) {
      text.value += value;
      text.end = end;
    } else text = { value, start, end };
  };
  const flushText = () => {
    if (!text) return;
    nodes.push({ type: 'text', value: text.value, position: { start: at(text.start), end: at(text.end) } });
    text = null;
  };
  let index = from;
  while (index < to) {
    const char = line[index] ?? '';
    const next = index + 1 < to ? (line[index + 1] ?? '') : '';
    if (char === '`') {
      let open = index;
      while (open < to && line[open] === '`') open++;
      const size = open - index;
      let close = -1;
      for (let scan = open; scan < to; ) {
        if (line[scan] !== '`') {
          scan++;
          continue;
        }
        let runEnd = scan;
        while (runEnd < to && line[runEnd] === '`') runEnd++;
        if (runEnd - scan === size) {
          close = scan;
          break;
        }
        scan = runEnd;
      }
      if (close < 0) {
        addText(line.slice(index, open), index, open);
        index = open;
        continue;
      }
      let value = line.slice(open, close);
      // One space each side is padding when both are there and something else is inside.
      if (value.length > 2 && value.startsWith(' ') && value.endsWith(' ') && value.trim() !== '')
        value = value.slice(1, -1);
      // mdast-util-gfm-table: `\|` in a table's code is a pipe.
      value = value.replace(/\\([\\|])/g, (whole, escaped: string) => (escaped === '|' ? escaped : whole));
      flushText();
      nodes.push({ type: 'inlineCode', value, position: { start: at(index), end: at(close + size) } });
      index = close + size;
      continue;
    }
    if (char === '\\' && next !== '' && ASCII_PUNCTUATION.test(next)) {
      addText(next, index, index + 2);
      index += 2;
      continue;
    }
    // Emphasis, a link or image or footnote, strikethrough, an email or URL autolink.
    if (char === '*' || char === '[' || char === '~' || char === '@' || char === ':') return null;
    // An HTML tag or autolink, an entity.
    if (char === '<' && /[A-Za-z/!?]/.test(next)) return null;
    if (char === '&' && /[A-Za-z0-9#]/.test(next)) return null;
    if (char === '_') {
      // Underscores inside a word (`api_latency_p99`) neither open nor close emphasis.
      let runEnd = index;
      while (runEnd < to && line[runEnd] === '_') runEnd++;
      const before = index > from ? (line[index - 1] ?? '') : '';
      const after = runEnd < to ? (line[runEnd] ?? '') : '';
      if (!ASCII_ALPHANUMERIC.test(before) || !ASCII_ALPHANUMERIC.test(after)) return null;
      addText(line.slice(index, runEnd), index, runEnd);
      index = runEnd;
      continue;
    }
    // Up to the next character that may mean something.
    let plainEnd = index + 1;
    while (plainEnd < to && !MAY_MEAN_SOMETHING.has(line.charCodeAt(plainEnd))) plainEnd++;
    addText(line.slice(index, plainEnd), index, plainEnd);
    index = plainEnd;
  }
  flushText();
  return nodes;
}
