import type { Comparator } from '../units/index.js';
import { meaningWords, normaliseChars } from './text.js';

/** Words whose presence makes a number an upper bound (smaller is better). */
const UPPER_BOUND_WORDS = [
  'latency',
  'latencies',
  'duration',
  'durations',
  'response time',
  'page load',
  'time',
  'times',
  'delay',
  'lag',
  'error',
  'errors',
  'failure',
  'failures',
  'failed',
  'rto',
  'rpo',
  'downtime',
  'mttr',
  'mttd',
  'ttfb',
  'lcp',
  'fcp',
  'inp',
  'tti',
  'timeout',
  'timeouts',
  '5xx',
  'jitter',
  'staleness',
  'packet loss',
  'data loss',
];

/** Words whose presence makes a number a lower bound (bigger is better). */
const LOWER_BOUND_WORDS = [
  'uptime',
  'availability',
  'available',
  'throughput',
  'rps',
  'tps',
  'qps',
  'requests per second',
  'hit rate',
  'hit ratio',
  'cache hit',
  'success',
  'successful',
  'apdex',
  'durability',
  'goodput',
];

/** Words that make a plain number between 0 and 1 a ratio (`0.999` availability). */
const RATIO_WORDS = [
  'availability',
  'uptime',
  'success',
  'error',
  'errors',
  'failure',
  'failures',
  'hit',
  'apdex',
  'ratio',
  'rate',
  'fraction',
  'slo',
  'sla',
];

/** Words that make a plain number above 1 and up to 100 a percentage (`Availability | 99.9`). */
const PERCENT_WORDS = ['availability', 'uptime', 'sla', 'slo', 'success rate', 'hit rate'];

/** Nouns a bare percentile label (`P50`) is completed with, looked up in the surrounding headings. */
const PERCENTILE_NOUNS = ['latency', 'response time', 'duration'];

/** Words that make any heading an NFR section, in every language read. */
const NFR_HEADING =
  /non\s*-?\s*functional|\bnfrs?\b|\bslos?\b|\bslas?\b|\bslis?\b|service\s+levels?|quality\s+attributes?|requisitos\s+no\s+funcionales|requisitos\s+n[ãa]o[\s-]+funcionais|nicht[\s-]*funktionale\s+anforderungen|exigences\s+non[\s-]+fonctionnelles|y[êe]u\s+c[ầa]u\s+phi\s+ch[ứu]c\s+n[ăa]ng|非功能(?:性)?需求|非功能(?:性)?要求|非機能要件|非機能要求|ความต้องการที่ไม่ใช่ฟังก์ชัน/i;

/**
 * Quality words that make a heading an NFR section only when they are its subject (`## Performance`,
 * `### Latency budget`, `## Availability & SLA`), not part of a feature's title
 * (`## Performance Dashboard`, `### User Story 2 - Performance Metrics Logging`).
 */
const QUALITY_WORD =
  /\b(?:performance|reliability|availability|latency|throughput|scalability|resilience|uptime|rendimiento|desempenho|disponibilidad|disponibilidade|leistung|verfügbarkeit|hiệu năng)\b|性能|可用性|ประสิทธิภาพ/giu;
/** What may follow a quality word in a section heading. */
const SECTION_TAIL =
  /^(?:\s|[&/,+:()-]|\d|and|y|e|und|và|requirements?|targets?|goals?|budgets?|criteria|objectives?|constraints?|expectations?|metrics|characteristics|considerations?|needs|slos?|slas?|slis?|nfrs?|requisitos|anforderungen|ziele|metas|objetivos|yêu cầu|需求|要求|要件|目标|目標|指标|指標|ข้อกำหนด|performance|reliability|availability|latency|throughput|scalability|resilience|uptime|capacity|security|efficiency)*$/iu;
/** Headings of work items, whose titles may name a quality without being NFR sections. */
const WORK_ITEM = /\b(?:feature|user\s+story|story|epic|scenario|task|phase|sprint|bug|fix|ticket)\b/i;

/** Headings too generic to be a category: `Non-Functional Requirements`, `NFRs`, `SLOs & SLIs`. */
const GENERIC_NFR_HEADING =
  /non\s*-?\s*functional|\bnfrs?\b|^(?:sl[aio]s?|service\s+levels?(?:\s+\w+)?)(?:\s*(?:&|and|\/|,)\s*(?:sl[aio]s?|service\s+levels?(?:\s+\w+)?))*$/i;

function hasWord(words: string, word: string): boolean {
  return words.includes(` ${word} `);
}

function hasAny(words: string, list: readonly string[]): boolean {
  return list.some((word) => hasWord(words, word));
}

/** True for headings that open an NFR-like section (`## 8. Non-Functional Requirements`, `## SLO`, `## Performance`). */
export function isNfrHeading(text: string): boolean {
  const heading = normaliseChars(text).replace(/^\s*(?:§\s*)?(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.)\s+/, '');
  if (NFR_HEADING.test(heading)) return true;
  if (WORK_ITEM.test(heading)) return false;
  QUALITY_WORD.lastIndex = 0;
  for (let match = QUALITY_WORD.exec(heading); match; match = QUALITY_WORD.exec(heading)) {
    if (SECTION_TAIL.test(heading.slice(match.index + match[0].length).replace(/\([^)]*\)/g, ' ')))
      return true;
  }
  return false;
}

/** Heading text usable as an NFR category: numbering removed; null for the generic `Non-Functional Requirements`. */
export function headingCategory(text: string): string | null {
  const cleaned = normaliseChars(text)
    .replace(/^\s*(?:§\s*)?(?:\d+(?:\.\d+)*\.?|[A-Z]\.|[IVX]+\.)\s+/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '' || GENERIC_NFR_HEADING.test(cleaned)) return null;
  return cleaned;
}

/**
 * Upper or lower bound from the words of the texts, tried in order; a text that names both kinds is skipped.
 */
export function inferDirection(texts: ReadonlyArray<string | null>): Comparator | null {
  for (const text of texts) {
    if (!text) continue;
    const words = meaningWords(text);
    const upper = hasAny(words, UPPER_BOUND_WORDS);
    const lower = hasAny(words, LOWER_BOUND_WORDS);
    if (upper && !lower) return '<=';
    if (lower && !upper) return '>=';
  }
  return null;
}

export function meansRatio(texts: ReadonlyArray<string | null>): boolean {
  return texts.some((text) => text && hasAny(meaningWords(text), RATIO_WORDS));
}

export function meansPercent(texts: ReadonlyArray<string | null>): boolean {
  return texts.some((text) => text && hasAny(meaningWords(text), PERCENT_WORDS));
}

/** The noun a bare percentile label should be completed with (`latency` under `### Latency Targets`). */
export function percentileNoun(contexts: ReadonlyArray<string | null>): string | null {
  for (const text of contexts) {
    if (!text) continue;
    const words = meaningWords(text);
    const noun = PERCENTILE_NOUNS.find((candidate) => hasWord(words, candidate));
    if (noun) return noun;
    if (hasWord(words, 'latencies')) return 'latency';
  }
  return null;
}

export interface PercentileSpan {
  start: number;
  end: number;
  /** Lower case, `p99`, `p99.9`. */
  percentile: string;
}

/**
 * `p99`, `P99.9`, `api_latency_p99`, `latency_p99_9` (the slug of `p99.9`: an underscore is a separator, and
 * `_9` after a percentile is its decimals) and the all-nines short forms `p999`, `p9999` (p99.9, p99.99, as in
 * Dropwizard and Finagle metric names), but not `p100`, `p95_5m` (a window) or `mp3`.
 */
const P_PERCENTILE = /(?<![\p{L}\p{N}])p(?:(\d{1,2})(?:\.(\d+)|_(\d{1,3}))?|99(9+))(?![\p{L}\p{N}])/giu;

function readPPercentile(match: RegExpExecArray): string {
  const [, whole, dotted, underscored, nines] = match;
  if (nines !== undefined) return `p99.${nines}`;
  const decimals = dotted ?? underscored;
  return decimals === undefined ? `p${whole}` : `p${whole}.${decimals}`;
}

const PERCENTILE_PATTERNS: ReadonlyArray<{ pattern: RegExp; read: (match: RegExpExecArray) => string }> = [
  { pattern: P_PERCENTILE, read: readPPercentile },
  {
    pattern: /(?<![\p{L}\p{N}.])(\d{1,2}(?:\.\d+)?)\s?(?:th|st|nd|rd)?[\s-]?percentile(?![\p{L}])/giu,
    read: (match) => `p${match[1]}`,
  },
  {
    pattern:
      /(?<![\p{L}\p{N}.])(\d{1,2}(?:\.\d+)?)\s*%\s+of\s+(?:all\s+)?(?:[\p{L}][\p{L}\p{N}-]*\s+){0,2}?(?:requests|calls|queries|transactions|operations|responses|users|sessions|page\s+loads|pages|messages|events|jobs|searches|lookups|reads|writes|uploads|downloads)(?![\p{L}])/giu,
    read: (match) => `p${match[1]}`,
  },
  { pattern: /(?<![\p{L}\p{N}])median(?![\p{L}])/giu, read: () => 'p50' },
  // `95 パーセンタイル`, `50パーセンタイル`, `95 百分位`, `percentil 95`, `95. Perzentil`, `phân vị thứ 95`.
  {
    pattern:
      /(?<![\p{N}.])(\d{1,2}(?:\.\d+)?)\s?(?:\.\s?)?(?:パーセンタイル|百分位数?|百分位|perzentil|เปอร์เซ็นไทล์)/giu,
    read: (match) => `p${match[1]}`,
  },
  {
    pattern:
      /(?:percentil|phân vị thứ|phân vị|เปอร์เซ็นไทล์ที่)\s?(\d{1,2}(?:\.\d+)?)(?![\p{N}])(?:\s?(?:百分位数?|パーセンタイル))?/giu,
    read: (match) => `p${match[1]}`,
  },
];

/** Every percentile named in a text, in order of appearance. */
export function findPercentiles(text: string): PercentileSpan[] {
  const spans: PercentileSpan[] = [];
  for (const { pattern, read } of PERCENTILE_PATTERNS) {
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      spans.push({
        start: match.index,
        end: match.index + match[0].length,
        percentile: read(match).toLowerCase(),
      });
    }
  }
  return spans.sort((a, b) => a.start - b.start);
}

/** The first percentile named in a text, in canonical form (`p99`, `p99.9`). */
export function percentileOf(text: string | null): string | null {
  if (!text) return null;
  return findPercentiles(text)[0]?.percentile ?? null;
}

/**
 * The percentile of an NFR from its texts in order of precedence (target, metric, requirement, header): the
 * first text naming one decides, unless another names the same percentile with decimals, which is more
 * specific and wins (`p99.9` in the requirement over `p99` in a hand-written metric name). Different
 * percentiles (`p95` and `p99`) do not mix: the first stays.
 */
export function mostSpecificPercentile(texts: ReadonlyArray<string | null>): string | null {
  let chosen: string | null = null;
  for (const text of texts) {
    const percentile = percentileOf(text);
    if (percentile === null) continue;
    if (chosen === null || percentile.startsWith(`${chosen}.`)) chosen = percentile;
  }
  return chosen;
}

/** True when a label is nothing but a percentile (`P50`, `p99.9`, `p999`). */
export function isBarePercentile(text: string): boolean {
  const trimmed = text.trim();
  const span = findPercentiles(trimmed)[0];
  return span !== undefined && span.start === 0 && span.end === trimmed.length && /^p/i.test(trimmed);
}
