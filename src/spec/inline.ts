import type { PhrasingContent } from 'mdast';
import { normaliseChars } from './text.js';

export interface Span {
  start: number;
  end: number;
}

/** Plain text of inline Markdown, remembering where code spans and bold runs were. */
export interface InlineText {
  text: string;
  codes: Array<Span & { value: string }>;
  strongs: Span[];
  /** 1-based source line of the first character. */
  line: number;
}

interface Builder {
  text: string;
  codes: Array<Span & { value: string }>;
  strongs: Span[];
}

function append(builder: Builder, nodes: readonly PhrasingContent[]): void {
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        builder.text += normaliseChars(node.value);
        break;
      case 'inlineCode': {
        const start = builder.text.length;
        const value = normaliseChars(node.value);
        builder.text += value;
        builder.codes.push({ start, end: builder.text.length, value: value.trim() });
        break;
      }
      case 'strong': {
        const start = builder.text.length;
        append(builder, node.children);
        builder.strongs.push({ start, end: builder.text.length });
        break;
      }
      case 'emphasis':
      case 'delete':
      case 'link':
      case 'linkReference':
        append(builder, node.children);
        break;
      case 'break':
        builder.text += '\n';
        break;
      case 'image':
      case 'imageReference':
        builder.text += node.alt ?? '';
        break;
      case 'html':
        // `<br>` inside table cells separates words.
        builder.text += ' ';
        break;
      default:
        break;
    }
  }
}

export function inlineText(nodes: readonly PhrasingContent[], line: number): InlineText {
  const builder: Builder = { text: '', codes: [], strongs: [] };
  append(builder, nodes);
  return { ...builder, line };
}

/** A piece of an inline text, with its spans shifted; leading and trailing whitespace removed. */
export function sliceInline(source: InlineText, start: number, end: number, line = source.line): InlineText {
  let from = start;
  let to = end;
  while (from < to && /\s/.test(source.text[from] ?? '')) from++;
  while (to > from && /\s/.test(source.text[to - 1] ?? '')) to--;
  const shift = <T extends Span>(span: T): T => ({
    ...span,
    start: Math.max(span.start, from) - from,
    end: Math.min(span.end, to) - from,
  });
  const inside = (span: Span) => span.end > from && span.start < to;
  return {
    text: source.text.slice(from, to),
    codes: source.codes.filter(inside).map(shift),
    strongs: source.strongs.filter(inside).map(shift),
    line,
  };
}

/** One inline text per source line (a paragraph's soft line breaks), empty lines dropped. */
export function splitLines(source: InlineText): InlineText[] {
  const lines: InlineText[] = [];
  let start = 0;
  let line = source.line;
  // Spans are in order of their start, so each line only looks at the spans that can reach it.
  const codes = [...source.codes].sort((a, b) => a.start - b.start);
  const strongs = [...source.strongs].sort((a, b) => a.start - b.start);
  let firstCode = 0;
  let firstStrong = 0;
  for (let index = 0; index <= source.text.length; index++) {
    if (index !== source.text.length && source.text[index] !== '\n') continue;
    while ((codes[firstCode]?.end ?? Number.POSITIVE_INFINITY) <= start) firstCode++;
    while ((strongs[firstStrong]?.end ?? Number.POSITIVE_INFINITY) <= start) firstStrong++;
    const local: InlineText = {
      text: source.text,
      codes: spansBefore(codes, firstCode, index),
      strongs: spansBefore(strongs, firstStrong, index),
      line,
    };
    const piece = sliceInline(local, start, index, line);
    if (piece.text !== '') lines.push(piece);
    start = index + 1;
    line++;
  }
  return lines;
}

function spansBefore<T extends Span>(spans: readonly T[], from: number, end: number): T[] {
  const found: T[] = [];
  for (let index = from; index < spans.length; index++) {
    const span = spans[index];
    if (!span || span.start >= end) break;
    found.push(span);
  }
  return found;
}

/** Newlines and runs of spaces to single spaces, keeping spans in step. */
export function flattenInline(source: InlineText): InlineText {
  const trimmed = sliceInline(source, 0, source.text.length);
  // map[i] = where code unit i of the input lands in the output.
  const map: number[] = [];
  const chars: string[] = [];
  let length = 0;
  let lastWasSpace = false;
  for (const char of trimmed.text) {
    for (let unit = 0; unit < char.length; unit++) map.push(length);
    const space = /\s/.test(char);
    if (space && lastWasSpace) continue;
    const kept = space ? ' ' : char;
    chars.push(kept);
    length += kept.length;
    lastWasSpace = space;
  }
  map.push(length);
  const text = chars.join('');
  const remap = <T extends Span>(span: T): T => ({
    ...span,
    start: map[span.start] ?? 0,
    end: map[span.end] ?? 0,
  });
  return { text, codes: trimmed.codes.map(remap), strongs: trimmed.strongs.map(remap), line: trimmed.line };
}
