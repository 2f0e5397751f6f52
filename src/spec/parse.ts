import type { Heading, List, ListItem, Paragraph, Root, RootContent, Table, TableRow } from 'mdast';
import { toString as mdastToString } from 'mdast-util-to-string';
import type { Unit } from '../units/index.js';
import { parseUnit } from '../units/index.js';
import { flattenInline, type InlineText, inlineText, type Span, sliceInline, splitLines } from './inline.js';
import { readMarkdown } from './markdown.js';
import { headingCategory, isBarePercentile, isNfrHeading, percentileNoun, percentileOf } from './meaning.js';
import { locateQuantity, parseTargetWith, type TargetDefaults } from './target.js';
import {
  limitNesting,
  MAX_ANALYSED_CHARS,
  MAX_LINE_CHARS,
  MAX_NESTING,
  normaliseChars,
  slugify,
  squish,
  trimChars,
  trimEndChars,
} from './text.js';
import type { Nfr, NfrParseResult } from './types.js';

/**
 * Reads the NFRs of a spec: tables, lists and bold-label lines inside NFR-like sections (by heading words, at
 * any level). Never throws; what cannot be read becomes a warning or an NFR without objective.
 */
export function parseNfrs(markdown: string): NfrParseResult {
  return parseNfrsWith(markdown, readMarkdown);
}

/** parseNfrs with the given Markdown reader (tests compare readMarkdown with readMarkdownWhole). */
export function parseNfrsWith(markdown: string, readTree: (text: string) => Root): NfrParseResult {
  try {
    const { text, cappedLines } = limitNesting(markdown);
    const nestingWarnings =
      cappedLines.length === 0
        ? []
        : [
            `${cappedLines.length === 1 ? 'line' : 'lines'} ${cappedLines.length > 5 ? `${cappedLines.slice(0, 5).join(', ')} and ${cappedLines.length - 5} more` : listLines(cappedLines)} ` +
              `nest block quotes or lists more than ${MAX_NESTING} deep or are longer than ${MAX_LINE_CHARS} characters; ` +
              'the deeper levels are read as plain text and the rest of the line is ignored',
          ];
    const tree = readTree(text);
    const collector = new Collector();
    for (const section of findSections(tree)) collector.readSection(section);
    return {
      nfrs: collector.nfrs,
      warnings: [
        ...nestingWarnings,
        ...collector.warnings,
        ...uniqueDerivedNames(collector.nfrs, collector.derived),
        ...duplicateWarnings(collector.nfrs),
      ],
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { nfrs: [], warnings: [`the spec could not be read as Markdown: ${message}`] };
  }
}

interface Section {
  heading: Heading;
  title: string;
  line: number;
  /** Blocks up to the next heading of the same or a higher level, sub-headings included. */
  blocks: RootContent[];
}

function lineOf(node: { position?: { start: { line: number } } | undefined }, fallback = 1): number {
  return Math.max(1, node.position?.start.line ?? fallback);
}

function findSections(tree: Root): Section[] {
  const sections: Section[] = [];
  let current: Section | null = null;
  for (const node of tree.children) {
    if (node.type === 'heading') {
      if (current && node.depth > current.heading.depth) {
        current.blocks.push(node);
        continue;
      }
      current = null;
      const title = squish(normaliseChars(mdastToString(node)));
      if (isNfrHeading(title)) {
        current = { heading: node, title, line: lineOf(node), blocks: [] };
        sections.push(current);
      }
      continue;
    }
    current?.blocks.push(node);
  }
  return sections;
}

/** Where an entry sits: the headings above it and the labels of the list items or paragraphs it hangs from. */
interface Context {
  /** Innermost heading first, the section heading last. */
  headings: string[];
  /** Innermost label first. */
  labels: string[];
  category: string | null;
}

interface Entry {
  id: string | null;
  requirement: string;
  metric: string | null;
  target: string;
  line: number;
  category: string | null;
  defaults: TargetDefaults;
}

const ID_LABEL = /^[A-Z][A-Z0-9]*(?:[-_.][A-Z0-9]+)*[-_.]?\d+[A-Za-z]?$/;

/** Labels of lines that describe monitoring rather than state targets (`**Critical Alerts:** P99 > threshold`). */
const IGNORED_LABELS =
  /^(?:notes?|critical alerts?|alerts?|alerting|alert rules?|required metrics|metrics|dashboards?|measurement|measured by|measurement method|monitoring|tools?|tooling|rationale|owner|source|references?|examples?|see also)$/i;

/**
 * A Metric cell kept verbatim: `api_latency_p99`, `http.server.duration`, `latency`. Words written for people
 * (`API latency (p99)`, `Availability`) are slugged instead.
 */
function looksLikeMetricName(text: string): boolean {
  if (!/^[\p{L}_:][\p{L}\p{N}_:.{}="'-]*$/u.test(text)) return false;
  return /[_.:{\p{N}]/u.test(text) || text === text.toLowerCase();
}

class Collector {
  readonly nfrs: Nfr[] = [];
  /** NFRs whose metric name was derived from their text, not written in the spec. */
  readonly derived = new Set<Nfr>();
  readonly warnings: string[] = [];

  readSection(section: Section): void {
    const before = this.nfrs.length;
    const sectionCategory = headingCategory(section.title);
    const headingStack: Array<{ depth: number; title: string }> = [];
    let tablesSkipped = 0;
    // A label-only line (`**Latency:**`) introduces the list right after it.
    let pendingLabel: string | null = null;
    const context = (labels: string[]): Context => {
      const innermost = headingStack[headingStack.length - 1];
      return {
        headings: [...headingStack.map((heading) => heading.title).reverse(), section.title],
        labels,
        category: innermost ? (headingCategory(innermost.title) ?? sectionCategory) : sectionCategory,
      };
    };
    for (const block of section.blocks) {
      const labels = pendingLabel === null ? [] : [pendingLabel];
      pendingLabel = null;
      switch (block.type) {
        case 'heading':
          while ((headingStack[headingStack.length - 1]?.depth ?? 0) >= block.depth) headingStack.pop();
          headingStack.push({ depth: block.depth, title: squish(normaliseChars(mdastToString(block))) });
          break;
        case 'table':
          if (!this.readTable(block, context(labels))) tablesSkipped++;
          break;
        case 'list':
          this.readList(block, context(labels));
          break;
        case 'paragraph':
          pendingLabel = this.readParagraph(block, context(labels));
          break;
        default:
          break;
      }
    }
    if (this.nfrs.length === before) {
      const what = tablesSkipped > 0 ? 'no table with a Target-like column' : 'no NFR table or list';
      this.warnings.push(`section "${section.title}" (line ${section.line}) has ${what}`);
    }
  }

  // ---- tables -------------------------------------------------------------------------------------------

  /** Returns false when the table has no column to read targets from. */
  readTable(table: Table, context: Context): boolean {
    const [header, ...rows] = table.children;
    if (!header) return false;
    const columns = classifyColumns(header);
    if (columns.targets.length === 0) {
      this.warnings.push(
        `table at line ${lineOf(table)} has no Target-like column (Target, Threshold, Objective, SLO, Goal...); skipped`,
      );
      return false;
    }
    for (const row of rows) {
      const cells = row.children.map((cell) => inlineText(cell.children, lineOf(cell, lineOf(row))));
      const cell = (index: number | null): InlineText | null => {
        const found = index === null ? undefined : cells[index];
        return found ? flattenInline(found) : null;
      };
      if (cells.every((c) => c.text.trim() === '')) continue;
      const line = lineOf(row);
      const idText = cell(columns.id)?.text || null;
      const metricCell = cell(columns.metric);
      const requirementCell = cell(columns.requirement);
      const categoryText = cell(columns.category)?.text || null;

      let metric: string | null = null;
      let requirement = requirementCell?.text ?? '';
      if (metricCell && metricCell.text !== '') {
        if (isWholeCode(metricCell) || looksLikeMetricName(metricCell.text)) metric = metricCell.text;
        else if (requirement === '') requirement = metricCell.text;
        else metric = slugify(metricCell.text) || null;
      }
      if (metric === null && requirementCell) metric = identifierCode(requirementCell);
      if (requirementCell && metric !== null)
        requirement = withoutCode(requirementCell, metric) || requirement;
      if (requirement === '') requirement = metric ?? idText ?? categoryText ?? `row at line ${line}`;

      // Several target columns (`Target p50 | Target p95`) give one NFR each, named after their percentile.
      const several = columns.targets.length > 1;
      for (const column of columns.targets) {
        const target = cell(column.index)?.text ?? '';
        if (several && target === '') continue;
        const suffix = several && column.percentile !== null ? column.percentile : null;
        this.add(
          {
            id: idText,
            requirement: suffix === null ? requirement : `${requirement} ${suffix}`,
            metric: metric === null || suffix === null ? metric : `${metric}_${suffix}`,
            target,
            line,
            category: categoryText ?? context.category,
            defaults: { unit: column.unit, percentile: column.percentile },
          },
          context,
        );
      }
    }
    return true;
  }

  // ---- lists and paragraphs -----------------------------------------------------------------------------

  readList(list: List, context: Context): void {
    for (const item of list.children) this.readListItem(item, context);
  }

  readListItem(item: ListItem, context: Context): void {
    const first = item.children[0];
    let childLabel: string | null = null;
    let ignored = false;
    if (first?.type === 'paragraph') {
      const text = flattenInline(inlineText(first.children, lineOf(first, lineOf(item))));
      const parsed = analyseLine(text, context, { prose: true });
      if (parsed.kind === 'entry') this.add(parsed.entry, context);
      else if (parsed.kind === 'label') childLabel = parsed.label;
      else if (parsed.kind === 'ignored') ignored = true;
    }
    if (ignored) return;
    const nested: Context = childLabel ? { ...context, labels: [childLabel, ...context.labels] } : context;
    for (const child of item.children) {
      if (child.type === 'list') this.readList(child, nested);
      else if (child.type === 'table') this.readTable(child, nested);
    }
  }

  /** Reads bold-label lines (`**Latency:** P99 < 150ms`); returns a label that introduces the next list. */
  readParagraph(paragraph: Paragraph, context: Context): string | null {
    const lines = splitLines(inlineText(paragraph.children, lineOf(paragraph)));
    let lastLabel: string | null = null;
    for (const line of lines) {
      const parsed = analyseLine(line, context, { prose: false });
      lastLabel = null;
      if (parsed.kind === 'entry') this.add(parsed.entry, context);
      else if (parsed.kind === 'label') lastLabel = parsed.label;
    }
    return lastLabel;
  }

  // ---- records ------------------------------------------------------------------------------------------

  add(entry: Entry, context: Context): void {
    let requirement = squish(entry.requirement);
    if (isBarePercentile(requirement)) {
      const noun = percentileNoun([...context.labels, ...context.headings, entry.category]);
      if (noun) requirement = `${requirement} ${noun}`;
    }
    const derived = !entry.metric;
    const metric =
      entry.metric || slugify(requirement) || slugify(entry.id ?? '') || `nfr_line_${entry.line}`;
    const target = squish(entry.target);
    const category = entry.category === null ? null : squish(entry.category) || null;
    const { objective, reason } = parseTargetWith(target, { metric, requirement, category }, entry.defaults);
    const nfr: Nfr = {
      id: entry.id === null ? null : squish(entry.id) || null,
      metric,
      requirement,
      category,
      target,
      line: Math.max(1, entry.line),
      objective,
      unmonitorableReason: objective ? null : (reason ?? 'no numeric target'),
    };
    this.nfrs.push(nfr);
    if (derived) this.derived.add(nfr);
  }
}

// ---- table columns ----------------------------------------------------------------------------------------

type Role = 'id' | 'metric' | 'target' | 'requirement' | 'category';

const EXACT_ROLES: Record<Role, readonly string[]> = {
  id: ['id', 'nfr id', 'nfr #', 'nfr no', 'req id', 'requirement id', '#', 'ref', 'no', 'no.', 'key'],
  metric: [
    'metric',
    'metrics',
    'metric name',
    'metric id',
    'sli',
    'sli name',
    'indicator',
    'kpi',
    'key metric',
    'métrica',
    'metrik',
    'chỉ số',
    '指标',
    '指標',
    'ตัวชี้วัด',
  ],
  target: [
    'target',
    'targets',
    'threshold',
    'thresholds',
    'objective',
    'slo',
    'slo target',
    'goal',
    'value',
    'limit',
    'budget',
    'target value',
    'requirement value',
    'acceptance criteria',
    // other languages
    'objetivo',
    'meta',
    'valor objetivo',
    'ziel',
    'zielwert',
    'mục tiêu',
    '目标',
    '目标值',
    '目標',
    '目標値',
    'เป้าหมาย',
  ],
  requirement: [
    'requirement',
    'requirements',
    'name',
    'description',
    'nfr',
    'scenario',
    'title',
    'quality attribute',
    'attribute',
    'aspect',
    'item',
    'requisito',
    'anforderung',
    'yêu cầu',
    '需求',
    '要件',
    '项目',
    '項目',
    'ข้อกำหนด',
  ],
  category: ['category', 'type', 'area', 'dimension', 'kind', 'class', 'group'],
};

/** Words that, inside a longer header, reveal its role (`SLO Target`, `Max Threshold`, `NFR Category`). */
const ROLE_WORDS: ReadonlyArray<readonly [Role, RegExp]> = [
  ['id', /(?:^|[\s-])(?:id|#|ref)$/],
  ['target', /\b(?:target|threshold|objective|goal|limit|budget)s?\b/],
  ['metric', /\b(?:metric|sli|kpi|indicator)s?\b/],
  // Not `type`: `Query Type` names rows, while `NFR Category` groups them.
  ['category', /\b(?:category|categories)\b/],
  ['requirement', /\b(?:requirement|description|scenario|title|name)s?\b/],
];

interface TargetColumn {
  index: number;
  /** From the header: `Target p95`, `P95 (ms)`, `Target (p95)`. */
  percentile: string | null;
  unit: Unit | null;
}

interface Columns extends Record<Exclude<Role, 'target'>, number | null> {
  targets: TargetColumn[];
}

const TARGET_WORDS = /\b(?:target|threshold|objective|goal|slo|limit|budget|value)s?\b/;
const LATENCY_WORDS = /\b(?:latency|response time|duration)\b/;

function classifyColumns(header: TableRow): Columns {
  const roles: Record<Role, number | null> = {
    id: null,
    metric: null,
    target: null,
    requirement: null,
    category: null,
  };
  const headers = header.children.map((cell) => squish(normaliseChars(mdastToString(cell))));
  const keys = headers.map((text) =>
    text
      .toLowerCase()
      .replace(/\([^)]*\)/g, ' ')
      .replace(/[*_`:]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
  const claimed = new Set<number>();
  const claim = (role: Role, index: number) => {
    if (roles[role] !== null || claimed.has(index)) return;
    roles[role] = index;
    claimed.add(index);
  };
  keys.forEach((key, index) => {
    const role = (Object.keys(EXACT_ROLES) as Role[]).find((candidate) =>
      EXACT_ROLES[candidate].includes(key),
    );
    if (role) claim(role, index);
  });
  // `P95`, `Target p95`, `p99 goal`, `Median`, `Latency (p95)`: one target column per percentile.
  const percentileTargets: TargetColumn[] = [];
  keys.forEach((key, index) => {
    if (claimed.has(index)) return;
    const percentile = percentileOf(headers[index] ?? '');
    const bare = isBarePercentile(key) || key === 'median';
    if (percentile === null || !(bare || TARGET_WORDS.test(key) || LATENCY_WORDS.test(key))) return;
    claimed.add(index);
    percentileTargets.push({ index, percentile, unit: headerUnit(headers[index] ?? '') });
  });
  keys.forEach((key, index) => {
    if (claimed.has(index)) return;
    const match = ROLE_WORDS.find(([role, pattern]) => roles[role] === null && pattern.test(key));
    if (match) claim(match[0], index);
  });
  // A shared unit for percentile columns when only some headers state it (`P50 (ms) | P95 | P99`).
  const sharedUnit = percentileTargets.find((column) => column.unit !== null)?.unit ?? null;
  for (const column of percentileTargets) column.unit ??= sharedUnit;
  // Without Requirement and Metric columns, the first other column names the row (`| Operation | Target |`).
  if (roles.requirement === null && roles.metric === null) {
    const free = keys.findIndex((_key, index) => !claimed.has(index));
    if (free >= 0) claim('requirement', free);
  }
  const targets: TargetColumn[] = [];
  if (roles.target !== null) {
    const text = headers[roles.target] ?? '';
    targets.push({ index: roles.target, unit: headerUnit(text), percentile: headerPercentile(text) });
  }
  targets.push(...percentileTargets);
  return {
    id: roles.id,
    metric: roles.metric,
    requirement: roles.requirement,
    category: roles.category,
    targets,
  };
}

/** `Target (ms)` → ms. */
function headerUnit(header: string): Unit | null {
  const inside = /\(([^)]*)\)/.exec(header)?.[1];
  return inside === undefined ? null : parseUnit(inside);
}

/** `Target (p95)` → p95. */
function headerPercentile(header: string): string | null {
  const inside = /\(([^)]*)\)/.exec(header)?.[1];
  return inside === undefined ? null : percentileOf(inside);
}

// ---- one line of a list or paragraph ----------------------------------------------------------------------

type LineReading =
  | { kind: 'entry'; entry: Entry }
  | { kind: 'label'; label: string }
  | { kind: 'ignored' }
  | { kind: 'none' };

function isWholeCode(text: InlineText): boolean {
  return text.codes.length === 1 && text.codes[0]?.start === 0 && text.codes[0]?.end === text.text.length;
}

/** The first code span that looks like a metric name (`search_latency_p99`), not a target (`< 200ms`). */
function identifierCode(text: InlineText): string | null {
  for (const code of text.codes) {
    if (/^[\p{L}_][\p{L}\p{N}_:.{}="'-]*$/u.test(code.value) && parseUnit(code.value) === null)
      return code.value;
  }
  return null;
}

/** The text without the code span naming `metric` and the brackets left around it. */
function withoutCode(text: InlineText, metric: string): string {
  const code = text.codes.find((span) => span.value === metric);
  if (!code) return text.text;
  const stripped = text.text.slice(0, code.start) + text.text.slice(code.end);
  return trimChars(squish(stripped.replace(/\(\s*\)|\[\s*\]/g, ' ')), ' :,;-');
}

function insideCode(position: number, codes: readonly Span[]): boolean {
  return codes.some((code) => position >= code.start && position < code.end);
}

/** Index of the colon (or dash) that ends a label, or -1. */
function labelSeparator(text: InlineText): { index: number; length: number } | null {
  for (let index = 0; index < text.text.length && index <= 120; index++) {
    const char = text.text[index];
    if (char === ':' && !insideCode(index, text.codes)) {
      // `10:30` is a time, `http://` a URL: not label ends.
      if (/\d/.test(text.text[index - 1] ?? '') && /\d/.test(text.text[index + 1] ?? '')) continue;
      if (text.text[index + 1] === '/') continue;
      return { index, length: 1 };
    }
  }
  return null;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

const TRAILING_PUNCTUATION = ' .;,';

/** Words between a subject and its target (`Throughput of at least 1000 rps`, `Uptime should be 99.9%`). */
const LINKING_WORDS =
  /(?:\s+(?:of|is|are|be|should|must|shall|needs?\s+to|to|has\s+to|stays?|remains?))+\s*[:=-]?\s*$/i;

/** Words that make the text before a number a sentence rather than a subject. */
const SENTENCE_WORDS =
  /\b(?:must|should|shall|will|can|may|is|are|be|been|has|have|in|of|to|for|than|under|within|take|takes|complete|completes|respond|responds)\b/i;

/**
 * A step keyword, not the first word of a label (`If A: < 1 ms`, `IF A: ...`: a colon within four words):
 * Given/When/Then, and And/But/If/Where/While in bold or capitals (`**AND**`, `WHEN`).
 */
function isStepKeyword(text: InlineText, keyword: string): boolean {
  if (/^\s*\S+(?:\s+\S+){0,3}\s*:/.test(text.text)) return false;
  const emphasised = keyword === keyword.toUpperCase() || text.strongs.some((strong) => strong.start === 0);
  return emphasised || /^(?:given|when|then)$/i.test(keyword);
}

/** A Given/When/Then step keyword starting a line (`**WHEN** 100 clients...`, `AND error rate...`). */
const GHERKIN_STEP = /^\s*(given|when|then|and|but|if|where|while)\b[\s,:]*/i;

/**
 * Reads one list item or paragraph line into an entry. Forms: `**Label** (`metric`): target`, `Label: target`,
 * `**Label:** target`, `Subject < 200 ms`, `Sentence ... within 2 seconds`, `Text (P95 < 300ms)`.
 * In paragraphs (`prose: false`) only bold-label lines and `Subject < number` formulas count.
 */
function analyseLine(source: InlineText, context: Context, options: { prose: boolean }): LineReading {
  const flat = flattenInline(source);
  const text = flat.text.length > MAX_ANALYSED_CHARS ? sliceInline(flat, 0, MAX_ANALYSED_CHARS) : flat;
  if (text.text === '') return { kind: 'none' };
  // Given/When/Then steps: a Given or When states a condition, never a target; Then/And read what follows.
  const step = GHERKIN_STEP.exec(text.text);
  if (step?.[1] !== undefined && isStepKeyword(text, step[1])) {
    let from = step[0].length;
    if (/^(?:given|when|if|where|while)$/i.test(step[1])) {
      const then = /\bthen\b[\s,:]*/i.exec(text.text.slice(from));
      if (!then) return { kind: 'none' };
      from += then.index + then[0].length;
    }
    const rest = sliceInline(text, from, text.text.length);
    return rest.text === '' ? { kind: 'none' } : analyseLine(rest, context, options);
  }
  const startsBold = text.strongs.some((strong) => strong.start === 0 && strong.end > 0);
  // In paragraphs only bold labels count: `Note: ...` there is prose.
  const separator = options.prose || startsBold ? labelSeparator(text) : null;
  let labelEnd: number | null = null;
  let restStart = 0;
  if (separator) {
    const candidate = trimEndChars(text.text.slice(0, separator.index), '* ').trim();
    if (candidate !== '' && wordCount(candidate) <= 10 && (startsBold || wordCount(candidate) <= 6)) {
      labelEnd = separator.index;
      restStart = separator.index + separator.length;
    }
  }
  if (labelEnd === null && startsBold) {
    const strong = text.strongs.find((span) => span.start === 0);
    const after = text.text.slice(strong?.end ?? 0);
    const dash = /^\s*(?:-+|—|–)\s+/.exec(after);
    if (strong && (dash || after.trim() === '' || /^\s+\S/.test(after))) {
      labelEnd = strong.end;
      restStart = strong.end + (dash?.[0].length ?? 0);
    }
  }
  if (labelEnd !== null) {
    const label = sliceInline(text, 0, labelEnd);
    const rest = sliceInline(text, restStart, text.text.length);
    return readLabelled(label, rest, context, options);
  }
  return readUnlabelled(text, context, options);
}

function readLabelled(
  label: InlineText,
  rest: InlineText,
  context: Context,
  options: { prose: boolean },
): LineReading {
  const labelText = trimEndChars(label.text, ' :*').trim();
  if (IGNORED_LABELS.test(labelText)) return { kind: 'ignored' };
  if (ID_LABEL.test(labelText) && !isBarePercentile(labelText)) {
    if (rest.text === '') return { kind: 'label', label: labelText };
    const reading = analyseLine(rest, context, { prose: true });
    if (reading.kind === 'entry') reading.entry.id = labelText;
    return reading;
  }
  const metric = identifierCode(label);
  let requirement = metric === null ? labelText : withoutCode(label, metric) || metric;
  if (rest.text === '') return { kind: 'label', label: requirement };
  const restMetric = metric ?? identifierCode(rest);
  let targetText = rest.text;
  if (restMetric !== null && metric === null) {
    targetText = withoutCode(rest, restMetric);
  }
  const quantity = locateQuantity(targetText);
  // A bold paragraph line without a number is prose (`**Owner:** team X`); a list item is a qualitative NFR.
  if (!options.prose && quantity === null) return { kind: 'none' };
  // `**Latency:** P99 < 150ms` → `P99 Latency`, so that P95 and P99 lines get their own metric names.
  if (quantity?.symbolComparator && percentileOf(requirement) === null) {
    const subject = targetText.slice(0, quantity.start).trim();
    if (isBarePercentile(subject)) requirement = `${subject.toUpperCase()} ${requirement}`;
  }
  return {
    kind: 'entry',
    entry: {
      id: null,
      requirement,
      metric: restMetric,
      target: trimEndChars(targetText, TRAILING_PUNCTUATION),
      line: label.line,
      category: context.category,
      defaults: {},
    },
  };
}

function readUnlabelled(text: InlineText, context: Context, options: { prose: boolean }): LineReading {
  const sentence = trimEndChars(text.text, TRAILING_PUNCTUATION);
  const quantity = locateQuantity(sentence);
  const metric = identifierCode(text);
  const entry = (requirement: string, target: string): LineReading => ({
    kind: 'entry',
    entry: {
      id: null,
      requirement: requirement || metric || sentence,
      metric,
      target,
      line: text.line,
      category: context.category,
      defaults: {},
    },
  });
  if (!quantity) return options.prose ? entry(sentence, sentence) : { kind: 'none' };

  // `Performance targets met (P95 < 300ms)`: the target is the bracketed part.
  const open = sentence.lastIndexOf('(', quantity.numberStart);
  const close = open >= 0 ? sentence.indexOf(')', open) : -1;
  if (options.prose && open > 0 && close >= quantity.numberStart && sentence.slice(close + 1).trim() === '') {
    return entry(sentence.slice(0, open).trim(), sentence.slice(open + 1, close).trim());
  }
  const before = sentence.slice(0, quantity.start);
  // Only a short text before the number can be a subject; longer ones are sentences.
  const subject = wordCount(before) > 12 ? before : trimEndChars(before.replace(LINKING_WORDS, ''), ' :=-');
  // `Availability > 99.9%`, `p95 latency below 250 ms` and `Uptime 99.9% monthly` name a subject;
  // `Authentication must complete within 2 seconds` is a sentence, kept whole.
  const formula =
    quantity.symbolComparator || (options.prose && wordCount(subject) <= 5 && !SENTENCE_WORDS.test(subject));
  if (formula && subject !== '' && wordCount(subject) <= 8) {
    const requirement = metric !== null ? withoutCode(sliceInline(text, 0, quantity.start), metric) : subject;
    return entry(requirement, sentence.slice(quantity.start).trim());
  }
  if (!options.prose) return { kind: 'none' };
  return entry(sentence, sentence.slice(quantity.start, quantity.end).trim());
}

// ---- warnings ---------------------------------------------------------------------------------------------

function listLines(lines: readonly number[]): string {
  if (lines.length <= 1) return String(lines[0] ?? '');
  return `${lines.slice(0, -1).join(', ')} and ${lines[lines.length - 1]}`;
}

/**
 * A derived metric name (the slug of the NFR's text) that another NFR also has gets `_2`, `_3`... in document
 * order, so that two NFRs never share a query; a name written in the spec keeps it. Editing an unrelated line
 * renames nothing. Returns one warning per renamed group.
 */
function uniqueDerivedNames(nfrs: Nfr[], derived: ReadonlySet<Nfr>): string[] {
  const taken = new Set(nfrs.filter((nfr) => !derived.has(nfr)).map((nfr) => nfr.metric));
  const groups = new Map<string, Nfr[]>();
  for (const nfr of nfrs) {
    if (!derived.has(nfr)) continue;
    const group = groups.get(nfr.metric) ?? [];
    group.push(nfr);
    groups.set(nfr.metric, group);
  }
  const warnings: string[] = [];
  for (const [name, group] of groups) {
    if (group.length < 2 && !taken.has(name)) {
      taken.add(name);
      continue;
    }
    let counter = 1;
    const names: string[] = [];
    group.forEach((nfr, index) => {
      if (index === 0 && !taken.has(name)) {
        taken.add(name);
        names.push(name);
        return;
      }
      let candidate: string;
      do candidate = `${name}_${++counter}`;
      while (taken.has(candidate));
      taken.add(candidate);
      nfr.metric = candidate;
      names.push(candidate);
    });
    const members = new Set(group);
    const lines = nfrs.filter((nfr) => nfr.metric === name || members.has(nfr)).map((nfr) => nfr.line);
    const renamed = group
      .filter((nfr) => nfr.metric !== name)
      .map((nfr) => `${nfr.metric} (line ${nfr.line})`);
    warnings.push(
      `metric "${name}" would be shared by the NFRs at lines ${listLines(lines)}; named from their text, ` +
        `${renamed.join(', ')} ${renamed.length === 1 ? 'gets its own name' : 'get their own names'} so that none shares a query — ` +
        'give each NFR its own metric name (e.g. in backticks) to choose it',
    );
  }
  return warnings;
}

function duplicateWarnings(nfrs: readonly Nfr[]): string[] {
  const linesByMetric = new Map<string, number[]>();
  for (const nfr of nfrs) {
    const lines = linesByMetric.get(nfr.metric) ?? [];
    lines.push(nfr.line);
    linesByMetric.set(nfr.metric, lines);
  }
  const warnings: string[] = [];
  for (const [metric, lines] of linesByMetric) {
    if (lines.length < 2) continue;
    warnings.push(
      `metric "${metric}" is defined more than once (lines ${listLines(lines)}); all are kept — ` +
        'give each NFR its own metric name (e.g. in backticks) so they can be told apart',
    );
  }
  return warnings;
}
