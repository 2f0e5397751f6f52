/**
 * Words of the document reader (src/spec/document.ts): units, comparators and context words in the languages
 * the reader understands (English, Spanish, Portuguese, German, Vietnamese, Chinese, Japanese, Thai).
 * Kept as data so that docs/nfr-notation.md can list them and tests can walk them.
 */
import type { Comparator } from '../units/index.js';
import {
  LEADING_COMPARATORS,
  PERCENT_SPELLINGS,
  TIME_SPELLINGS,
  TRAILING_COMPARATORS,
} from '../units/index.js';

/** What a written unit measures, for the reader's output. */
export type UnitKind = 'time' | 'percent' | 'rate' | 'size' | 'bandwidth' | 'count';

export interface WrittenUnit {
  kind: UnitKind;
  /** Canonical spelling in the output: ms, s, min, h, d, w, y, %, rps, rpm, rph, rpd, fps, B, KB, MiB, Mbps, count. */
  unit: string;
}

/** Named rates (a count per second or minute written as one word). */
const NAMED_RATES: Record<string, string> = {
  rps: 'rps',
  qps: 'rps',
  tps: 'rps',
  iops: 'rps',
  ops: 'rps',
  fps: 'fps',
  rpm: 'rpm',
  qpm: 'rpm',
  tpm: 'rpm',
};

const SIZE_SPELLINGS: Record<string, string> = {
  b: 'B',
  byte: 'B',
  bytes: 'B',
  kb: 'KB',
  mb: 'MB',
  gb: 'GB',
  tb: 'TB',
  pb: 'PB',
  kib: 'KiB',
  mib: 'MiB',
  gib: 'GiB',
  tib: 'TiB',
};

const BANDWIDTH_SPELLINGS: Record<string, string> = {
  bps: 'bps',
  kbps: 'kbps',
  mbps: 'Mbps',
  gbps: 'Gbps',
  tbps: 'Tbps',
};

const TIME_BY_SPELLING = new Map<string, string>();
for (const [unit, spellings] of Object.entries(TIME_SPELLINGS)) {
  for (const spelling of spellings) TIME_BY_SPELLING.set(spelling, unit);
}

/** Canonical time unit of a spelling (`segundos` → s, `分钟` → min), or null. */
export function timeUnitOf(word: string): string | null {
  return TIME_BY_SPELLING.get(word.toLowerCase()) ?? null;
}

/** Per-period rate unit: per second rps, per minute rpm, per hour rph, per day rpd. */
export const RATE_BY_PERIOD: Record<string, string> = { s: 'rps', min: 'rpm', h: 'rph', d: 'rpd' };

/** Every unit word the reader recognises right after a number, longest first (for one regex). */
export function unitSpellings(): string[] {
  const all = new Set<string>([
    ...TIME_BY_SPELLING.keys(),
    ...PERCENT_SPELLINGS,
    ...Object.keys(NAMED_RATES),
    ...Object.keys(SIZE_SPELLINGS),
    ...Object.keys(BANDWIDTH_SPELLINGS),
  ]);
  return [...all].sort((a, b) => b.length - a.length);
}

/** A single-word unit (not a `x/period` rate). */
export function singleUnit(word: string): WrittenUnit | null {
  const lower = word.toLowerCase();
  const time = TIME_BY_SPELLING.get(lower);
  if (time) return { kind: 'time', unit: time };
  if (PERCENT_SPELLINGS.includes(lower)) return { kind: 'percent', unit: '%' };
  const rate = NAMED_RATES[lower];
  if (rate) return { kind: 'rate', unit: rate };
  const size = SIZE_SPELLINGS[lower];
  if (size) return { kind: 'size', unit: size };
  const bandwidth = BANDWIDTH_SPELLINGS[lower];
  if (bandwidth) return { kind: 'bandwidth', unit: bandwidth };
  return null;
}

/** Words that join a count to its period: `/`, per, pro, por, par, mỗi, 每. */
export const PER_WORDS = ['/', 'per', 'pro', 'por', 'par', 'mỗi', 'trên', '每', 'ต่อ'];

/**
 * Comparators written before the number: the shared table of src/units (so both readers know the same
 * words), without its equality words (a document's `= 5` is not a target), plus phrasings that only
 * prose uses. Longest spellings win.
 */
export const LEADING_WORDS: ReadonlyArray<readonly [string, Comparator]> = [
  ...LEADING_COMPARATORS.filter(([, comparator]) => comparator !== '='),
  ['in under', '<'],
  ['does not exceed', '<='],
  ['timeout of', '<='],
  ['timeout after', '<='],
  ['timeout', '<='],
  ['timeouts after', '<='],
];

/** Comparators written after the quantity (`200 ms or less`, `99.5%以上`, `3秒以内`): the shared table. */
export const TRAILING_WORDS: ReadonlyArray<readonly [string, Comparator]> = TRAILING_COMPARATORS;

/**
 * Words that make a number a measurement or a reference rather than a target (`Current: 850 ms`,
 * `baseline`, `was`, `observed`), in the languages read.
 */
export const NOT_TARGET_CONTEXT = [
  // template examples: `[e.g., "Users complete sign-up in under 2 minutes"]`
  'e.g.',
  'e.g',
  'for example',
  'for instance',
  'z.b.',
  'por ejemplo',
  'por exemplo',
  'ví dụ',
  '例如',
  '例:',
  '例：',
  '例えば',
  'current',
  'currently',
  'baseline',
  'was',
  'were',
  'observed',
  'measured at',
  'today',
  'existing',
  'previously',
  'before',
  'takes',
  'atual',
  'atualmente',
  'actual',
  'actualmente',
  'aktuell',
  'derzeit',
  'hiện tại',
  '当前',
  '目前',
  '现在',
  '現在',
  '現状',
  'ปัจจุบัน',
];

/** Subjects that are not runtime targets: coverage, code quality, business and price figures. */
export const NOT_RUNTIME_SUBJECTS = [
  'coverage',
  'cobertura',
  'abdeckung',
  'độ phủ',
  '覆盖率',
  'カバレッジ',
  'complexity',
  'technical debt',
  'market share',
  'credit',
  'クレジット',
  'crédito',
  'price',
  'cost',
  'discount',
  'version',
  'versão',
  'versión',
  'port',
  'bcrypt',
  'rounds',
  'dimension',
  'dimensions',
  'learning curve',
  'learning',
  'aprendizado',
  'aprendizaje',
  'onboarding',
  'training',
  // project planning, not the running system
  'effort',
  'estimated effort',
  'timeline',
  'schedule',
  'milestone',
  'sprint',
  'story points',
  'maintenance',
  'manutenção',
  'mantenimiento',
  'wartung',
  'bảo trì',
  '维护',
  'メンテナンス',
];

/** Words that make a percentage a change relative to a baseline (`reduced by 40%`, `30% faster`), not a level. */
export const RELATIVE_WORDS = [
  'reduction',
  'reduce',
  'reduced',
  'reduces',
  'faster',
  'slower',
  'improves',
  'improved',
  'improvement',
  'increase',
  'increased',
  'variance',
  'by',
  'compared',
  'mais rápido',
  'más rápido',
  'schneller',
  'nhanh hơn',
  '提升',
  '减少',
  '削減',
  '改善',
];

/** Nouns after a hyphenated duration that make it a window or a period, not a limit (`24-hour degree`). */
export const LIMIT_NOUNS = [
  'timeout',
  'time-out',
  'limit',
  'deadline',
  'budget',
  'sla',
  'slo',
  'target',
  'max',
  'maximum',
];

/** Words that make a bare percentage an upper bound (smaller is better). */
export const PERCENT_UPPER = [
  'error',
  'errors',
  'failure',
  'failures',
  'fail',
  'timeout',
  'cpu',
  'memory',
  'mem',
  'ram',
  'disk',
  'usage',
  'utilization',
  'utilisation',
  'load',
  'loss',
  'leak',
  'drop',
  'downtime',
  'budget',
  'lỗi',
  'エラー',
  '错误',
  '失败',
  'erro',
  'fehler',
];

/** Words that make a bare percentage a lower bound (bigger is better). */
export const PERCENT_LOWER = [
  'availability',
  'available',
  'uptime',
  'success',
  'successful',
  'hit',
  'slo',
  'sla',
  'health',
  'reliability',
  'durability',
  'apdex',
  'disponibilidade',
  'disponibilidad',
  'verfügbarkeit',
  'khả dụng',
  'sẵn sàng',
  '可用性',
  '可用',
  '成功率',
  '成功',
  '稼働率',
  'ความพร้อมใช้งาน',
];

/** Nouns of things that are counted concurrently (`500 concurrent users`, `50名同時接続`). */
export const CONCURRENCY_WORDS = [
  'concurrent',
  'concurrently',
  'simultaneous',
  'simultaneously',
  'parallel',
  'simultâneos',
  'simultâneas',
  'simultáneos',
  'concorrentes',
  'concurrentes',
  'gleichzeitig',
  'gleichzeitige',
  'đồng thời',
  'cùng lúc',
  '并发',
  '同时',
  '同時',
  'พร้อมกัน',
];

/** Table headers and row labels naming capacity counts (`Concurrent Users | 10K`, `Min Instances`). */
export const CAPACITY_WORDS = [
  ...CONCURRENCY_WORDS,
  'users',
  'connections',
  'conn',
  'sessions',
  'clients',
  'instances',
  'servers',
  'nodes',
  'workers',
  'capacity',
  'người dùng',
  'usuários',
  'usuarios',
  'benutzer',
  'ユーザー',
  '用户',
  '接続',
  '连接',
  'คน',
  'ผู้ใช้',
];

/** Column headers whose cells are not targets. */
export const NOT_TARGET_COLUMNS = [
  'current',
  'baseline',
  'actual',
  'observed',
  'measured',
  'before',
  'result',
  'version',
  'market share',
  'growth',
  'coverage',
  'priority',
  'completion',
  'level',
  'date',
  'owner',
  'tool',
  'method',
  'measurement',
  'notes',
  'description',
  'definition',
  'action',
  'credit',
  'atual',
  '測定方法',
  '定義',
  '備考',
  '说明',
  '測定',
];

/** Headers that say the column holds upper limits (`Maximum`, `Critical Threshold`) or lower ones (`Min`). */
export const UPPER_HEADERS = ['max', 'maximum', 'limit', 'ceiling', 'tối đa', '最大', '上限'];
export const LOWER_HEADERS = ['min', 'minimum', 'floor', 'tối thiểu', '最小', '下限'];

/** Headings of sections that state no runtime targets; nothing under them is read. */
export const NON_REQUIREMENT_HEADINGS = [
  'changelog',
  'change log',
  'revision history',
  'references',
  'glossary',
  'out of scope',
  'security',
  'seguridad',
  'segurança',
  'test coverage',
  'code quality',
  'compatibility',
  'browser support',
  'localization',
  'localisation',
  'compliance',
  'accessibility',
];

/** Headings of NFR-like sections (for categories and the section list), in every language read. */
export const NFR_HEADING_WORDS = [
  'non-functional',
  'non functional',
  'nonfunctional',
  'nfr',
  'nfrs',
  'quality attribute',
  'quality attributes',
  'success criteria',
  'measurable outcomes',
  'success metrics',
  'acceptance criteria',
  'slo',
  'slos',
  'sla',
  'slas',
  'sli',
  'slis',
  'service level',
  'service levels',
  'performance',
  'reliability',
  'availability',
  'scalability',
  'latency',
  'throughput',
  'capacity',
  'requisitos no funcionales',
  'requisitos não funcionais',
  'requisitos nao funcionais',
  'rendimiento',
  'desempenho',
  'nicht-funktionale anforderungen',
  'nichtfunktionale anforderungen',
  'leistung',
  'yêu cầu phi chức năng',
  'hiệu năng',
  '非功能需求',
  '非功能性需求',
  '性能需求',
  '性能要求',
  '非機能要件',
  '性能要件',
  'ความต้องการที่ไม่ใช่ฟังก์ชัน',
  'ประสิทธิภาพ',
];
