import type { Dimension, Unit } from './types.js';

const DIMENSION_OF: Record<Unit, Dimension> = {
  ns: 'duration',
  us: 'duration',
  ms: 'duration',
  s: 'duration',
  min: 'duration',
  h: 'duration',
  '%': 'ratio',
  ratio: 'ratio',
  rps: 'rate',
  rpm: 'rate',
  count: 'count',
};

const BASE_UNIT_OF: Record<Dimension, Unit> = {
  duration: 's',
  ratio: 'ratio',
  rate: 'rps',
  count: 'count',
};

/** Size of each unit as an integer multiple of the smallest unit of its dimension (exact factors). */
const SIZE_IN_SMALLEST: Record<Unit, number> = {
  ns: 1,
  us: 1e3,
  ms: 1e6,
  s: 1e9,
  min: 6e10,
  h: 3.6e12,
  '%': 1,
  ratio: 100,
  rpm: 1,
  rps: 60,
  count: 1,
};

const RATE_NOUNS = [
  '',
  'r',
  'req',
  'reqs',
  'request',
  'requests',
  'q',
  'query',
  'queries',
  't',
  'tx',
  'txn',
  'txns',
  'transaction',
  'transactions',
  'op',
  'ops',
  'operation',
  'operations',
  'call',
  'calls',
  'event',
  'events',
  'msg',
  'msgs',
  'message',
  'messages',
  'hit',
  'hits',
];

/** Durations in every supported spelling, by canonical unit. Longest spellings are tried first. */
export const TIME_SPELLINGS: Record<string, readonly string[]> = {
  ns: ['ns', 'nsec', 'nanosecond', 'nanoseconds'],
  us: ['us', 'µs', 'μs', 'usec', 'microsecond', 'microseconds'],
  ms: [
    'ms',
    'msec',
    'msecs',
    'millisecond',
    'milliseconds',
    'millis',
    'milissegundo',
    'milissegundos',
    'milisegundo',
    'milisegundos',
    'millisekunde',
    'millisekunden',
    '毫秒',
    'ミリ秒',
    'มิลลิวินาที',
    'mili giây',
  ],
  s: [
    's',
    'sec',
    'secs',
    'second',
    'seconds',
    'segundo',
    'segundos',
    'sekunde',
    'sekunden',
    'giây',
    '秒',
    '秒钟',
    '秒鐘',
    'วินาที',
  ],
  min: [
    'min',
    'mins',
    'minute',
    'minutes',
    'minuto',
    'minutos',
    'minuten',
    'phút',
    '分',
    '分钟',
    '分鐘',
    '分間',
    'นาที',
  ],
  h: [
    'h',
    'hr',
    'hrs',
    'hour',
    'hours',
    'hora',
    'horas',
    'stunde',
    'stunden',
    'giờ',
    '小时',
    '小時',
    '時間',
    'ชั่วโมง',
  ],
  d: [
    'd',
    'day',
    'days',
    'dia',
    'dias',
    'día',
    'días',
    'tag',
    'tage',
    'tagen',
    'ngày',
    '天',
    '日',
    '日間',
    'วัน',
  ],
  w: [
    'w',
    'wk',
    'wks',
    'week',
    'weeks',
    'semana',
    'semanas',
    'woche',
    'wochen',
    'tuần',
    '周',
    '週',
    '週間',
    'สัปดาห์',
  ],
  y: [
    'y',
    'yr',
    'yrs',
    'year',
    'years',
    'ano',
    'anos',
    'año',
    'años',
    'jahr',
    'jahre',
    'năm',
    '年',
    '年間',
    'ปี',
  ],
};

export const PERCENT_SPELLINGS = [
  '%',
  '％',
  'percent',
  'per cent',
  'pct',
  'percentage',
  'por ciento',
  'por cento',
  'prozent',
  'パーセント',
];

function buildUnitTable(): Map<string, Unit> {
  const table = new Map<string, Unit>();
  const add = (unit: Unit, ...names: string[]) => {
    for (const name of names) table.set(name, unit);
  };
  add('ns', 'ns', 'nsec', 'nsecs', 'nanosecond', 'nanoseconds');
  add('us', 'us', 'µs', 'μs', 'usec', 'usecs', 'microsecond', 'microseconds');
  add('ms', 'ms', 'msec', 'msecs', 'millisecond', 'milliseconds', 'millis');
  add('s', 's', 'sec', 'secs', 'second', 'seconds');
  add('min', 'm', 'min', 'mins', 'minute', 'minutes');
  add('h', 'h', 'hr', 'hrs', 'hour', 'hours');
  add('%', '%', 'percent', 'per cent', 'pct', 'percentage');
  add('ratio', 'ratio', 'fraction');
  add('rps', 'rps', 'tps', 'qps', 'ops');
  add('rpm', 'rpm', 'tpm', 'qpm');
  add('count', 'count', 'counts', 'number', '#');
  // The same units in the other languages a spec may be written in (`segundos`, `秒`, `วินาที`, `Prozent`).
  for (const unit of ['ns', 'us', 'ms', 's', 'min', 'h'] as const) add(unit, ...(TIME_SPELLINGS[unit] ?? []));
  add('%', ...PERCENT_SPELLINGS);
  add('rps', 'fps');
  for (const noun of RATE_NOUNS) {
    for (const second of ['s', 'sec', 'second']) table.set(`${noun}/${second}`, 'rps');
    for (const minute of ['m', 'min', 'minute']) table.set(`${noun}/${minute}`, 'rpm');
  }
  return table;
}

const UNIT_TABLE = buildUnitTable();

/** Lower case, single spaces, `per` and spaced slashes as `/`: `Requests Per Second` → `requests/second`. */
function unitKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\/\s*/g, '/')
    .replace(/ per /g, '/')
    .replace(/^per /, '/');
}

/**
 * Reads a unit name as people write it (`ms`, `µs`, `seconds`, `%`, `req/s`, `requests per second`...).
 * Case-insensitive; returns null for empty or unknown text.
 */
export function parseUnit(text: string): Unit | null {
  const key = unitKey(text);
  if (key === '') return null;
  return UNIT_TABLE.get(key) ?? eventRate(key);
}

/** Sizes and bandwidths: units of quantities the monitor does not measure. */
const SIZE_UNITS = new Set([
  'b',
  'kb',
  'mb',
  'gb',
  'tb',
  'pb',
  'kib',
  'mib',
  'gib',
  'tib',
  'pib',
  'byte',
  'bytes',
  'bit',
  'bits',
  'kbit',
  'mbit',
  'gbit',
  'tbit',
  'bps',
  'kbps',
  'mbps',
  'gbps',
  'tbps',
]);

/** Periods a rate can be written per; only per second and per minute are supported units. */
const TIME_WORDS = new Set([
  'ns',
  'us',
  'ms',
  's',
  'sec',
  'secs',
  'second',
  'seconds',
  'm',
  'min',
  'mins',
  'minute',
  'minutes',
  'h',
  'hr',
  'hrs',
  'hour',
  'hours',
  'd',
  'day',
  'days',
  'w',
  'wk',
  'wks',
  'week',
  'weeks',
  'mo',
  'mos',
  'month',
  'months',
  'quarter',
  'quarters',
  'y',
  'yr',
  'yrs',
  'year',
  'years',
]);

/** Sizes and distances per second are not event rates (`MB/s`, `m/s`). */
const NOT_EVENTS = new Set([...SIZE_UNITS, 'm', 'km', 'mi', 'ft']);

/**
 * True when the text is a unit, but one that cannot be monitored, so that a target written in it must not be
 * read as a plain number: a size or bandwidth (`MB`, `Gbps`, `MB/s`), a rate per another period (`req/day`,
 * `/h`, `errors per day`, `m/s`), or a supported unit per something (`ms/op`, `rps/node`). The thing counted
 * is one word; `users/tenant` and `read/write` are not units.
 */
export function isUnsupportedUnit(text: string): boolean {
  const key = unitKey(text);
  if (key === '' || parseUnit(key) !== null) return false;
  if (SIZE_UNITS.has(key)) return true;
  const rate = /^([\p{L}µμ]*)\/([\p{L}µμ]+)$/u.exec(key);
  if (!rate) return false;
  const [, counted = '', per = ''] = rate;
  const otherPeriod = ['h', 'd', 'w', 'y'].some((unit) => TIME_SPELLINGS[unit]?.includes(per));
  return (
    SIZE_UNITS.has(counted) ||
    TIME_WORDS.has(per) ||
    otherPeriod ||
    (counted !== '' && parseUnit(counted) !== null)
  );
}

/** Any counted thing per second or minute: `docs/sec`, `orders/min`. */
function eventRate(key: string): Unit | null {
  const match = /^(\p{L}+)\/(\p{L}+)$/u.exec(key);
  if (!match || NOT_EVENTS.has(match[1] ?? '')) return null;
  const period = match[2] ?? '';
  if (period === 'm' || PER_MINUTE.has(period)) return 'rpm';
  if (PER_SECOND.has(period)) return 'rps';
  return null;
}

/** Spellings of a second and a minute a rate may be written per (`次/秒`, `requests/minuto`). */
const PER_SECOND = new Set(TIME_SPELLINGS.s);
const PER_MINUTE = new Set(TIME_SPELLINGS.min);

export function dimensionOf(unit: Unit): Dimension {
  return DIMENSION_OF[unit];
}

export function baseUnitOf(dimension: Dimension): Unit {
  return BASE_UNIT_OF[dimension];
}

export function canConvert(from: Unit, to: Unit): boolean {
  return DIMENSION_OF[from] === DIMENSION_OF[to];
}

/** Converts `value` from one unit to another of the same dimension; throws on a dimension mismatch. */
export function convert(value: number, from: Unit, to: Unit): number {
  if (!canConvert(from, to)) {
    throw new Error(
      `cannot convert ${from} (${DIMENSION_OF[from]}) to ${to} (${DIMENSION_OF[to]}): different dimensions`,
    );
  }
  if (from === to) return value;
  const fromSize = SIZE_IN_SMALLEST[from];
  const toSize = SIZE_IN_SMALLEST[to];
  const converted = fromSize >= toSize ? value * (fromSize / toSize) : value / (toSize / fromSize);
  // 15 significant digits drop binary noise (99.9 % → 0.999, not 0.9990000000000001).
  return Number.isFinite(converted) && converted !== 0 ? Number(converted.toPrecision(15)) : converted;
}
