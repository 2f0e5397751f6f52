/**
 * The status page's browser code, bundled by esbuild into one script (src/server/page-script.ts)
 * and inlined with the page's CSP nonce. It renders from the embedded status, polls /api/status,
 * refetches charts less often, and draws each chart as inline SVG. Type-checked with the DOM
 * library by tsconfig.page.json, apart from the Node code.
 */

import { comparatorText, formatQuantity } from '../../units/text.js';
import type { Unit } from '../../units/types.js';
import type { HistoryJson, HistoryPoint } from '../history.js';
import type { AlertJson, SpecStatusJson, StatusJson } from '../status.js';

type SummaryMetricJson = SpecStatusJson['metrics'][number];

interface PageConfig {
  /** Failed cycles in a row from which the page says the monitor is failing (as /readyz does). */
  failedCyclesAlarm: number;
  pollSeconds: number;
  chartRefreshSeconds: number;
  defaultHours: number;
}

type AttributeValue = string | number | boolean | null | undefined;
type Attributes = Record<string, AttributeValue> | null;
type Child = Node | string | null | undefined | false;
type Children = Child | Child[];

interface Card {
  spec: string;
  metric: string;
  status: string | null;
  element: HTMLElement;
  text: HTMLElement;
  plot: HTMLElement;
  target?: string;
  pending?: 'load' | 'draw' | null;
}

interface SpecEntry {
  section: HTMLElement;
  badge: HTMLElement;
  counts: HTMLElement;
  info: HTMLElement;
  nfrs: HTMLElement;
  cards: Map<string, Card>;
}

/** A [start, end] time span in epoch ms. */
type Span = [number, number];

const SVG_NS = 'http://www.w3.org/2000/svg';
const HOUR_MS = 3600000;

function readJson<T>(id: string): T | null {
  const element = document.getElementById(id);
  return element ? (JSON.parse(element.textContent || 'null') as T | null) : null;
}

const config = readJson<PageConfig>('page-config')!;
let status = readJson<StatusJson>('initial-status')!;
let hours = config.defaultHours;
const histories: Record<number, Record<string, HistoryJson>> = {};
histories[hours] = {};
(readJson<HistoryJson[]>('initial-history') || []).forEach((series) => {
  histories[hours]![seriesKey(series.spec, series.metric)] = series;
});
let clockSkewMs = Date.now() - Date.parse(status.generated_at);
let lastSuccess = Date.now();
let failure: string | null = null;
const specEntries = new Map<string, SpecEntry>();
let chartsBusy = false;

function seriesKey(spec: string, metric: string): string {
  return spec + '\n' + metric;
}
function serverNow(): number {
  return Date.now() - clockSkewMs;
}
function byId(id: string): HTMLElement {
  return document.getElementById(id)!;
}

// ---- DOM helpers (textContent only: data never becomes markup) ----
function h(tag: string, attributes?: Attributes, children?: Children): HTMLElement {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  appendChildren(element, children);
  return element;
}
function svg(tag: string, attributes: Attributes, text?: string): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  if (text !== undefined) element.textContent = text;
  return element;
}
function setAttributes(element: Element, attributes: Attributes | undefined): void {
  if (!attributes) return;
  Object.keys(attributes).forEach((name) => {
    const value = attributes[name];
    if (value === null || value === undefined || value === false) return;
    if (name === 'text') element.textContent = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  });
}
function appendChildren(element: Element, children: Children): void {
  if (children === null || children === undefined) return;
  (Array.isArray(children) ? children : [children]).forEach((child) => {
    if (child === null || child === undefined || child === false || child === '') return;
    element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  });
}

// Rebuild a block only when its data changed: keeps focus, open <details> and screen readers calm.
const signatures = new WeakMap<Element, string>();
function replaceIfChanged(element: Element, signature: string, build: () => Children): boolean {
  if (signatures.get(element) === signature) return false;
  signatures.set(element, signature);
  element.replaceChildren();
  appendChildren(element, build());
  return true;
}

// ---- formatting ----
/** Plain numbers (axis ticks, ranges, seconds): up to 5 significant digits, n/a when not finite. */
function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  if (Math.abs(value) >= 1000) return String(Math.round(value));
  return String(Number(value.toPrecision(5)));
}
/** Quantities read as in reports and alerts: the one formatQuantity. */
function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined) return 'no value';
  return formatQuantity(value, unit);
}
function formatDuration(rawSeconds: number): string {
  const seconds = Math.max(0, Math.round(rawSeconds));
  if (seconds < 60) return seconds + ' s';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return minutes + ' min';
  const hoursPart = Math.floor(minutes / 60);
  if (hoursPart < 48) return hoursPart + ' h ' + (minutes % 60) + ' min';
  return Math.floor(hoursPart / 24) + ' d ' + (hoursPart % 24) + ' h';
}
function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
}
function formatDateTime(iso: string | null): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  const sameDay = new Date(serverNow()).toDateString() === date.toDateString();
  return sameDay
    ? formatTime(date.getTime())
    : date.toLocaleString([], {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
}
function timeElement(iso: string | null): HTMLElement {
  return h('time', {
    datetime: iso,
    title: iso ? new Date(iso).toString() : null,
    text: formatDateTime(iso),
  });
}
function agoText(iso: string): string {
  return formatDuration((serverNow() - Date.parse(iso)) / 1000) + ' ago';
}

/** Symbol (hidden from screen readers) and word of each verdict. */
type BadgeTable = Record<string, [string, string]>;
const OVERALL: BadgeTable = {
  healthy: ['\u2713', 'Healthy'],
  unhealthy: ['\u2717', 'Unhealthy'],
  degraded: ['!', 'Degraded'],
};
const NFR_STATUS: BadgeTable = {
  healthy: ['\u2713', 'Healthy'],
  breached: ['\u2717', 'Breached'],
  unknown: ['?', 'Unknown'],
};
function badge(table: BadgeTable, value: string): HTMLElement {
  const entry = table[value] || ['?', String(value)];
  return h('span', { class: 'badge badge-' + value }, [
    h('span', { 'aria-hidden': 'true', text: entry[0] }),
    ' ' + entry[1],
  ]);
}

// ---- header, banner ----
function worstOverall(specs: SpecStatusJson[]): string {
  const rank: Record<string, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
  let worst = 'healthy';
  specs.forEach((spec) => {
    if ((rank[spec.status] || 0) > rank[worst]!) worst = spec.status;
  });
  return worst;
}
// Before the first cycle has finished there is nothing to show yet: ask again soon.
function pollSeconds(): number {
  if (!status.last_cycle) return 1;
  return Math.max(1, Math.min(status.interval_seconds || config.pollSeconds, 15));
}
/**
 * Why the data shown may not be current although the monitor answers: no cycle finished yet, the
 * last cycles failed (nothing recorded, no alert raised or resolved), or cycles stopped.
 */
function cycleProblem(): { kind: 'failing' | 'stale'; text: string } | null {
  const cycle = status.last_cycle;
  if (!cycle) return { kind: 'stale', text: 'Waiting for the first check to finish.' };
  const failures = cycle.consecutive_failures || 0;
  if (failures >= config.failedCyclesAlarm) {
    return {
      kind: 'failing',
      text:
        'Failing: the last ' +
        failures +
        ' checks could not be recorded (' +
        (cycle.error || 'unknown error') +
        '). No alert can be raised or resolved; the values shown are from the last check that worked.',
    };
  }
  const ageSeconds = (Date.parse(status.generated_at) - Date.parse(cycle.finished_at)) / 1000;
  const limit = 2.5 * status.interval_seconds + 10;
  if (ageSeconds > limit) {
    return {
      kind: 'stale',
      text:
        'Stale: the last check finished ' +
        formatDuration(ageSeconds) +
        ' ago (checks run every ' +
        formatDuration(status.interval_seconds) +
        '); the monitor may be stuck.',
    };
  }
  return null;
}
function renderHeader(): void {
  const overall = worstOverall(status.specs);
  const unhealthy = status.specs.filter((spec) => spec.status !== 'healthy').length;
  // A live region: touched only when the verdict changes, so it is announced once.
  replaceIfChanged(byId('overall'), overall + '|' + status.specs.length + '|' + unhealthy, () => [
    status.specs.length
      ? badge(OVERALL, overall)
      : h('span', { class: 'badge badge-unknown', text: 'No specs' }),
    ' ' +
      status.specs.length +
      ' spec' +
      (status.specs.length === 1 ? '' : 's') +
      (unhealthy ? ', ' + unhealthy + ' not healthy' : ''),
  ]);
  document.title = (status.specs.length ? OVERALL[overall]![1] : 'No specs') + ' \u2014 Production monitor';
  renderMeta();
  renderBanner();
}
function renderMeta(): void {
  const cycle = status.last_cycle;
  byId('meta').replaceChildren(
    'v' +
      status.version +
      ' \u00b7 checks every ' +
      formatDuration(status.interval_seconds) +
      ' \u00b7 last check ',
    cycle ? timeElement(cycle.finished_at) : 'not yet',
    cycle
      ? ' (took ' + formatNumber(cycle.duration_ms / 1000) + ' s' + (cycle.slow ? ', slow' : '') + ')'
      : '',
    ' \u00b7 ',
    h('span', {
      id: 'last-updated',
      text:
        'last updated ' +
        formatTime(lastSuccess) +
        ' (' +
        formatDuration((Date.now() - lastSuccess) / 1000) +
        ' ago)',
    }),
  );
}
function renderBanner(): void {
  const banner = byId('banner');
  const problem = cycleProblem();
  const connection = failure ? 'offline' : problem ? problem.kind : 'ok';
  document.body.setAttribute('data-connection', connection);
  if (connection === 'ok') {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  banner.hidden = false;
  banner.className = 'banner banner-' + (connection === 'failing' ? 'offline' : connection);
  banner.textContent = failure
    ? 'Offline: ' +
      failure +
      '. Showing data from ' +
      formatTime(lastSuccess) +
      '; retrying every ' +
      formatDuration(pollSeconds()) +
      '.'
    : problem!.text;
}

// ---- specs ----
function slug(text: string): string {
  return String(text).replace(/[^A-Za-z0-9_-]/g, '_');
}
function renderSpecs(): void {
  const main = byId('specs');
  const seen = new Set<string>();
  status.specs.forEach((spec, index) => {
    seen.add(spec.spec_id);
    let entry = specEntries.get(spec.spec_id);
    if (!entry) {
      entry = createSpec(spec.spec_id);
      specEntries.set(spec.spec_id, entry);
    }
    updateSpec(entry, spec);
    if (main.children[index] !== entry.section)
      main.insertBefore(entry.section, main.children[index] || null);
  });
  specEntries.forEach((entry, id) => {
    if (!seen.has(id)) {
      entry.section.remove();
      specEntries.delete(id);
    }
  });
  const empty = document.getElementById('no-specs');
  if (status.specs.length === 0 && !empty) {
    main.appendChild(h('p', { id: 'no-specs', class: 'muted', text: 'No spec is monitored yet.' }));
  }
  if (status.specs.length > 0 && empty) empty.remove();
}
function createSpec(specId: string): SpecEntry {
  const titleId = 'spec-' + slug(specId);
  const entry: SpecEntry = {
    section: h('section', { class: 'spec', 'data-spec': specId, 'aria-labelledby': titleId }),
    badge: h('span', { class: 'spec-badge' }),
    counts: h('p', { class: 'counts' }),
    info: h('div', { class: 'spec-info' }),
    nfrs: h('div', { class: 'nfrs' }),
    cards: new Map(),
  };
  appendChildren(entry.section, [
    h('header', { class: 'spec-head' }, [h('h2', { id: titleId, text: specId }), entry.badge]),
    entry.counts,
    entry.info,
    entry.nfrs,
  ]);
  return entry;
}
function findMetric(spec: SpecStatusJson, name: string): SummaryMetricJson | null {
  return spec.metrics.find((metric) => metric.name === name) ?? null;
}
function updateSpec(entry: SpecEntry, spec: SpecStatusJson): void {
  entry.section.setAttribute('data-status', spec.status);
  replaceIfChanged(entry.badge, spec.status, () => badge(OVERALL, spec.status));
  const counts = spec.counts;
  replaceIfChanged(entry.counts, JSON.stringify([counts, spec.checked_at]), () => {
    const notMonitored = counts.unmonitored - (counts.unmapped || 0);
    return [
      counts.healthy +
        ' healthy \u00b7 ' +
        counts.breached +
        ' breached \u00b7 ' +
        counts.unknown +
        ' unknown' +
        (counts.unmapped ? ' \u00b7 ' + counts.unmapped + ' unmapped (not measured)' : '') +
        (notMonitored ? ' \u00b7 ' + notMonitored + ' not monitored' : '') +
        ' \u2014 checked ',
      timeElement(spec.checked_at),
    ];
  });
  // The minute is part of the signature so "since ... (N min ago)" stays true.
  const infoSignature = JSON.stringify([
    spec.alerts,
    spec.budgets,
    spec.reports,
    spec.metrics.map((m) => m.unit),
    Math.floor(serverNow() / 60000),
  ]);
  replaceIfChanged(entry.info, infoSignature, () => [
    incidentsBlock(spec),
    pendingBlock(spec),
    budgetsBlock(spec),
    reportsBlock(spec),
  ]);
  const seen = new Set<string>();
  spec.metrics.forEach((metric, index) => {
    seen.add(metric.name);
    let card = entry.cards.get(metric.name);
    if (!card) {
      card = createCard(spec.spec_id, metric.name);
      entry.cards.set(metric.name, card);
    }
    updateCard(card, metric);
    if (entry.nfrs.children[index] !== card.element) {
      entry.nfrs.insertBefore(card.element, entry.nfrs.children[index] || null);
    }
  });
  entry.cards.forEach((card, name) => {
    if (!seen.has(name)) {
      card.element.remove();
      entry.cards.delete(name);
    }
  });
}
function incidentsBlock(spec: SpecStatusJson): HTMLElement {
  const firing = spec.alerts.filter((alert) => alert.phase === 'firing');
  return h('section', { class: 'incidents', 'aria-label': 'Open incidents of ' + spec.spec_id }, [
    h('h3', { text: 'Open incidents (' + firing.length + ')' }),
    firing.length
      ? h(
          'ul',
          null,
          firing.map((alert: AlertJson) => {
            const metric = findMetric(spec, alert.metric);
            return h('li', { class: 'incident', 'data-metric': alert.metric }, [
              h('span', { class: 'sev', text: alert.severity || 'no severity' }),
              ' ',
              h('strong', { text: alert.metric }),
              alert.kind === 'no_data' ? ' (no data)' : ' (SLO breached)',
              alert.since ? ' \u2014 since ' : '',
              alert.since ? timeElement(alert.since) : null,
              alert.since ? ' (' + agoText(alert.since) + ')' : '',
              alert.worst_value !== null
                ? ' \u2014 worst ' +
                  (metric ? formatValue(alert.worst_value, metric.unit) : formatNumber(alert.worst_value))
                : '',
            ]);
          }),
        )
      : h('p', { class: 'muted', text: 'None.' }),
  ]);
}
function pendingBlock(spec: SpecStatusJson): HTMLElement | null {
  const pending = spec.alerts.filter((alert) => alert.phase === 'pending');
  if (!pending.length) return null;
  return h('section', { class: 'pending', 'aria-label': 'Pending alerts of ' + spec.spec_id }, [
    h('h3', { text: 'Pending (' + pending.length + ')' }),
    h(
      'ul',
      null,
      pending.map((alert) =>
        h('li', { class: 'pending-alert', 'data-metric': alert.metric }, [
          h('span', { class: 'sev sev-pending', text: 'pending' }),
          ' ',
          h('strong', { text: alert.metric }),
          alert.kind === 'no_data' ? ' (no data)' : '',
          ' \u2014 bad for ' + alert.bad_cycles + ' check' + (alert.bad_cycles === 1 ? '' : 's'),
          alert.since ? ' since ' : '',
          alert.since ? timeElement(alert.since) : null,
        ]),
      ),
    ),
  ]);
}
function budgetsBlock(spec: SpecStatusJson): HTMLElement | null {
  if (!spec.budgets.length) return null;
  return h('section', { class: 'budgets', 'aria-label': 'Error budgets of ' + spec.spec_id }, [
    h('h3', { text: 'Error budget left' }),
    h(
      'ul',
      null,
      spec.budgets.map((budget) => {
        const text =
          budget.remaining === null
            ? 'unknown (' + (budget.reason ?? 'no data yet') + ')'
            : budget.remaining < 0
              ? 'overspent by ' + formatQuantity(-budget.remaining * 100, '%')
              : formatQuantity(budget.remaining * 100, '%') + ' left';
        return h('li', { class: 'budget', 'data-metric': budget.metric }, [
          h('strong', { text: budget.metric }),
          ': ' + text + ' of the ' + budget.window_days + '-day budget',
          budget.remaining === null
            ? null
            : h('meter', {
                min: 0,
                max: 1,
                low: 0.25,
                high: 0.5,
                optimum: 1,
                value: Math.max(0, Math.min(1, budget.remaining)),
                'aria-label': 'Error budget left for ' + budget.metric,
              }),
        ]);
      }),
    ),
  ]);
}
function reportUrl(path: string): string {
  return '/reports/' + path.split('/').map(encodeURIComponent).join('/');
}
function reportsBlock(spec: SpecStatusJson): HTMLElement {
  const links: HTMLElement[] = [];
  const kinds: ['daily' | 'weekly', string][] = [
    ['daily', 'Daily'],
    ['weekly', 'Weekly'],
  ];
  kinds.forEach(([kind, label]) => {
    (spec.reports[kind] || []).slice(0, 3).forEach((path) => {
      links.push(
        h('li', null, [label + ': ', h('a', { href: reportUrl(path), text: path.split('/').pop() })]),
      );
    });
  });
  return h('section', { class: 'reports', 'aria-label': 'Reports of ' + spec.spec_id }, [
    h('h3', { text: 'Latest reports' }),
    links.length ? h('ul', null, links) : h('p', { class: 'muted', text: 'None yet.' }),
  ]);
}

// ---- NFR cards ----
function createCard(specId: string, metricName: string): Card {
  const card: Card = {
    spec: specId,
    metric: metricName,
    status: null,
    element: h('article', { class: 'nfr', 'data-metric': metricName }),
    text: h('div', { class: 'nfr-text' }),
    plot: h('div', { class: 'plot', 'data-chart': metricName }),
  };
  const figure = h('figure', { class: 'chart' }, [
    card.plot,
    h('figcaption', null, [
      h('span', { class: 'key key-line', text: 'measured' }),
      h('span', { class: 'key key-target', text: 'target' }),
      h('span', { class: 'key key-breach', text: 'breached' }),
      h('span', { class: 'key key-nodata', text: 'no data' }),
    ]),
  ]);
  appendChildren(card.element, [card.text, figure]);
  return card;
}
function updateCard(card: Card, metric: SummaryMetricJson): void {
  const previousDetails = card.text.querySelector('details');
  const open = previousDetails ? previousDetails.open : false;
  card.element.className = 'nfr nfr-' + metric.status;
  card.element.setAttribute('data-status', metric.status);
  card.target = comparatorText(metric.comparator) + ' ' + formatValue(metric.slo, metric.unit);
  replaceIfChanged(card.text, JSON.stringify(metric), () => {
    const statusText = NFR_STATUS[metric.status]
      ? NFR_STATUS[metric.status]![1].toLowerCase()
      : metric.status;
    return [
      h('h3', { class: 'nfr-name' }, [
        metric.name,
        metric.nfr_id ? h('span', { class: 'nfr-id', text: metric.nfr_id }) : null,
      ]),
      h('p', { class: 'nfr-line' }, [
        badge(NFR_STATUS, metric.status),
        h('span', { class: 'value', text: formatValue(metric.value, metric.unit) }),
        h('span', { class: 'target', text: 'target ' + card.target }),
      ]),
      objectiveLine(metric),
      burnDownFigure(metric),
      h('details', { open: open }, [
        h('summary', { text: 'Why ' + statusText }),
        h('p', { class: 'reason', text: metric.reason }),
        h('p', null, [
          h('strong', { text: 'Requirement: ' }),
          metric.requirement +
            ' (target as written: ' +
            metric.target +
            ', spec line ' +
            metric.spec_line +
            ')',
        ]),
        h('p', null, [
          h('strong', { text: 'Query (' + metric.provider + '): ' }),
          h('code', { text: metric.query }),
        ]),
      ]),
    ];
  });
  const changed = card.status !== null && card.status !== metric.status;
  card.status = metric.status;
  const series = histories[hours]?.[seriesKey(card.spec, card.metric)];
  // Drawn after the card is in the document, when its width is known.
  if (changed || !series) card.pending = 'load';
  else if (!card.plot.firstChild) card.pending = 'draw';
}
/** Burn rates shown on each card: fast, medium and slow (the page and ticket rules' long windows). */
const CARD_BURN_WINDOWS = ['1h', '6h', '3d'];

/** The objective measured from the backend: budget left over its window and the current burn rates. */
function objectiveLine(metric: SummaryMetricJson): HTMLElement | null {
  const objective = metric.objective;
  if (!objective || objective.target === null) return null;
  const remaining = objective.error_budget.remaining;
  const budgetText =
    remaining === null
      ? 'budget unknown'
      : remaining < 0
        ? 'budget overspent by ' + formatQuantity(-remaining * 100, '%')
        : formatQuantity(remaining * 100, '%') + ' of budget left';
  return h('p', { class: 'objective', 'data-window': objective.window }, [
    h('span', { class: 'budget-left', text: budgetText + ' (' + objective.window + ')' }),
    h(
      'span',
      { class: 'burn-rates' },
      CARD_BURN_WINDOWS.map((window) => {
        const rate = objective.burn_rates[window];
        return h('span', {
          class: 'burn-rate',
          'data-window': window,
          text:
            'burn ' +
            window +
            ' ' +
            (rate === null || rate === undefined ? '?' : formatNumber(rate) + '\u00d7'),
        });
      }),
    ),
  ]);
}

function budgetLeftText(remaining: number): string {
  return remaining < 0
    ? 'overspent by ' + formatQuantity(-remaining * 100, '%')
    : formatQuantity(remaining * 100, '%') + ' left';
}

/**
 * The error budget's burn-down over the objective's window, from the backend (/api/status): a point
 * per step from the window's start, a gap where a step had no data, the spent line at 0 %. Drawn at a
 * fixed viewBox that CSS scales to the card, so it needs no layout pass.
 */
function burnDownFigure(metric: SummaryMetricJson): HTMLElement | null {
  const objective = metric.objective;
  if (!objective || objective.target === null) return null;
  const points = objective.burn_down;
  if (!points || points.length === 0) {
    return h('p', {
      class: 'burn-down burn-down-unknown',
      text: 'Burn-down unknown (' + (objective.reason ?? 'not measured yet') + ')',
    });
  }
  const width = 320;
  const height = 96;
  const margin = { left: 38, right: 8, top: 8, bottom: 16 };
  const known = points.filter((p) => p.remaining !== null).map((p) => p.remaining as number);
  const low = Math.min(0, ...known);
  const high = Math.max(1, ...known);
  const start = Date.parse(points[0]!.at);
  const end = Date.parse(points[points.length - 1]!.at);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (time: number): number =>
    margin.left + (end > start ? (time - start) / (end - start) : 1) * plotWidth;
  const y = (value: number): number => margin.top + (1 - (value - low) / (high - low)) * plotHeight;
  const last = points[points.length - 1]!;
  const lastText = last.remaining === null ? 'unknown' : budgetLeftText(last.remaining);
  const missing = points.length - known.length;
  const label =
    metric.name +
    ' error budget burn-down over the ' +
    objective.window +
    ' window: ' +
    points.length +
    ' points' +
    (missing ? ', ' + missing + ' without data' : '') +
    '; ' +
    lastText;
  const chart = svg('svg', {
    class: 'burn-down-svg',
    width: width,
    height: height,
    viewBox: '0 0 ' + width + ' ' + height,
    role: 'img',
    'aria-label': label,
    'data-points': points.length,
    'data-remaining': last.remaining === null ? '' : last.remaining,
  });
  chart.appendChild(svg('title', null, label));
  [high, 0, low].forEach((tick, index) => {
    if (index === 2 && tick === 0) return;
    chart.appendChild(
      svg('line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }),
    );
    chart.appendChild(
      svg(
        'text',
        { class: 'tick', x: margin.left - 4, y: y(tick) + 4, 'text-anchor': 'end' },
        formatQuantity(Number((tick * 100).toPrecision(12)), '%'),
      ),
    );
  });
  chart.appendChild(
    svg('line', { class: 'spent-line', x1: margin.left, x2: width - margin.right, y1: y(0), y2: y(0) }),
  );
  chart.appendChild(
    svg(
      'text',
      { class: 'tick', x: margin.left, y: height - 3, 'text-anchor': 'start' },
      formatDateTime(points[0]!.at),
    ),
  );
  let path = '';
  points.forEach((point, index) => {
    if (point.remaining === null) {
      const before = points[index - 1];
      const after = points[index + 1];
      const from = before ? Date.parse(before.at) : Date.parse(point.at);
      const until = after ? Date.parse(after.at) : Date.parse(point.at);
      chart.appendChild(
        svg('rect', {
          class: 'nodata',
          x: x(from),
          y: margin.top,
          width: Math.max(1, x(until) - x(from)),
          height: plotHeight,
        }),
      );
      return;
    }
    const previous = points[index - 1];
    const penDown = previous !== undefined && previous.remaining !== null;
    path += (penDown ? 'L' : 'M') + x(Date.parse(point.at)).toFixed(1) + ' ' + y(point.remaining).toFixed(1);
  });
  if (path) chart.appendChild(svg('path', { class: 'series', d: path }));
  points.forEach((point) => {
    if (point.remaining === null) return;
    chart.appendChild(
      svg('circle', { class: 'burn-down-dot', cx: x(Date.parse(point.at)), cy: y(point.remaining), r: 1.8 }),
    );
  });
  chart.appendChild(
    svg(
      'text',
      {
        class: 'burn-down-label',
        x: width - margin.right,
        // Above the line's end when it is low, below it when it is high: off the line either way.
        y:
          last.remaining === null
            ? margin.top + 10
            : last.remaining > (low + high) / 2
              ? Math.min(height - margin.bottom - 2, y(last.remaining) + 14)
              : Math.max(margin.top + 10, y(last.remaining) - 9),
        'text-anchor': 'end',
      },
      lastText,
    ),
  );
  return h('figure', { class: 'burn-down', 'data-window': objective.window }, [
    h('figcaption', { text: 'Error budget burn-down (' + objective.window + ')' }),
    chart,
  ]);
}

function drawPendingCharts(): void {
  allCards().forEach((card) => {
    const pending = card.pending;
    card.pending = null;
    if (pending === 'load') void loadChart(card);
    else if (pending === 'draw') drawChart(card, histories[hours]![seriesKey(card.spec, card.metric)]!);
  });
}

// ---- charts ----
function historyUrl(card: Card, rangeHours: number): string {
  return (
    '/api/history?spec=' +
    encodeURIComponent(card.spec) +
    '&metric=' +
    encodeURIComponent(card.metric) +
    '&hours=' +
    rangeHours
  );
}
function loadChart(card: Card): Promise<void> {
  const rangeHours = hours;
  if (!card.plot.firstChild)
    card.plot.replaceChildren(h('p', { class: 'muted', text: 'Loading chart\u2026' }));
  return fetch(historyUrl(card, rangeHours), { cache: 'no-store', credentials: 'same-origin' })
    .then((response) => {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json() as Promise<HistoryJson>;
    })
    .then((series) => {
      histories[rangeHours] = histories[rangeHours] || {};
      histories[rangeHours][seriesKey(card.spec, card.metric)] = series;
      if (rangeHours === hours) drawChart(card, series);
    })
    .catch(() => {
      if (!card.plot.querySelector('svg')) {
        card.plot.replaceChildren(h('p', { class: 'muted', text: 'Chart unavailable; retrying later.' }));
      }
    });
}
function allCards(): Card[] {
  const cards: Card[] = [];
  specEntries.forEach((entry) => {
    entry.cards.forEach((card) => {
      cards.push(card);
    });
  });
  return cards;
}
function refreshCharts(): Promise<void> {
  if (chartsBusy) return Promise.resolve();
  chartsBusy = true;
  // One request at a time: the page should never burst the daemon.
  return allCards()
    .reduce((chain, card) => chain.then(() => loadChart(card)), Promise.resolve())
    .finally(() => {
      chartsBusy = false;
    });
}
function redrawCharts(): void {
  allCards().forEach((card) => {
    const series = histories[hours]?.[seriesKey(card.spec, card.metric)];
    if (series) drawChart(card, series);
  });
}
function niceTicks(low: number, high: number, count: number): number[] {
  const span = high - low;
  if (!(span > 0)) return [low];
  let step = 10 ** Math.floor(Math.log10(span / count));
  const error = span / count / step;
  if (error >= 7.5) step *= 10;
  else if (error >= 3.5) step *= 5;
  else if (error >= 1.5) step *= 2;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) {
    ticks.push(Number(value.toPrecision(12)));
  }
  return ticks;
}
function medianStep(points: HistoryPoint[]): number {
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) steps.push(points[i]![0] - points[i - 1]![0]);
  steps.sort((a, b) => a - b);
  return steps.length ? steps[Math.floor(steps.length / 2)]! : 0;
}
function addSpan(spans: Span[], start: number, end: number): void {
  if (!(end > start)) return;
  const last = spans[spans.length - 1];
  if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
  else spans.push([start, end]);
}
function drawChart(card: Card, series: HistoryJson): void {
  const plot = card.plot;
  const width = Math.max(220, Math.floor(plot.clientWidth || 320));
  const height = width < 480 ? 150 : 180;
  const margin = { left: 50, right: 8, top: 10, bottom: 22 };
  const end = Date.parse(series.to);
  const start = end - series.hours * HOUR_MS;
  const points = series.points.filter((point) => point[0] >= start && point[0] <= end);
  const values = points.map((point) => point[1]).filter((value): value is number => value !== null);
  const breachedCount = points.filter((point) => point[2] === 'breached').length;
  const unknownCount = points.filter((point) => point[1] === null).length;
  const rangeText =
    series.hours >= 48 ? formatNumber(series.hours / 24) + ' d' : formatNumber(series.hours) + ' h';
  const targetText = comparatorText(series.comparator) + ' ' + formatValue(series.slo, series.unit);
  const label =
    series.metric +
    ' over the last ' +
    rangeText +
    ': ' +
    points.length +
    ' points, ' +
    breachedCount +
    ' breached, ' +
    unknownCount +
    ' without data; target ' +
    targetText +
    (values.length ? '; latest ' + formatValue(values[values.length - 1], series.unit) : '');

  const chart = svg('svg', {
    class: 'chart-svg',
    width: width,
    height: height,
    viewBox: '0 0 ' + width + ' ' + height,
    role: 'img',
    'aria-label': label,
    'data-points': points.length,
    'data-breached': breachedCount,
  });
  chart.appendChild(svg('title', null, label));
  let low = Math.min(...values, series.slo);
  let high = Math.max(...values, series.slo);
  if (low >= 0 && low < high * 0.35) low = 0; // starting at zero costs little here and reads better
  const pad = (high - low) * 0.08 || Math.abs(high) * 0.05 || 1;
  high += pad;
  if (low !== 0) low -= pad;
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const x = (time: number): number => margin.left + ((time - start) / (end - start)) * plotWidth;
  const y = (value: number): number => margin.top + (1 - (value - low) / (high - low)) * plotHeight;

  niceTicks(low, high, 4).forEach((tick) => {
    if (tick < low || tick > high) return;
    chart.appendChild(
      svg('line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }),
    );
    chart.appendChild(
      svg(
        'text',
        { class: 'tick', x: margin.left - 4, y: y(tick) + 4, 'text-anchor': 'end' },
        formatNumber(tick),
      ),
    );
  });
  const labels = Math.max(2, Math.min(6, Math.floor(plotWidth / 90)));
  for (let i = 0; i <= labels; i++) {
    const time = start + ((end - start) * i) / labels;
    const text =
      series.hours > 24
        ? new Date(time).toLocaleDateString([], { month: 'short', day: 'numeric' })
        : new Date(time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const anchor = i === 0 ? 'start' : i === labels ? 'end' : 'middle';
    chart.appendChild(svg('text', { class: 'tick', x: x(time), y: height - 6, 'text-anchor': anchor }, text));
  }

  const step = medianStep(points) || (end - start) / 300;
  const breaches: Span[] = [];
  const gaps: Span[] = [];
  let path = '';
  let penDown = false;
  points.forEach((point, index) => {
    const next = points[index + 1];
    const isGap = next !== undefined && next[0] - point[0] > Math.max(3 * step, 1);
    const until = next && !isGap ? next[0] : Math.min(end, point[0] + step);
    if (point[2] === 'breached') addSpan(breaches, point[0], until);
    if (point[1] === null) addSpan(gaps, point[0], until);
    if (isGap) addSpan(gaps, point[0] + step, next[0]);
    if (point[1] === null) {
      penDown = false;
      return;
    }
    path += (penDown ? 'L' : 'M') + x(point[0]).toFixed(1) + ' ' + y(point[1]).toFixed(1);
    penDown = !isGap;
  });
  gaps.forEach((span) => {
    chart.appendChild(
      svg('rect', {
        class: 'nodata',
        x: x(span[0]),
        y: margin.top,
        width: Math.max(1, x(span[1]) - x(span[0])),
        height: plotHeight,
      }),
    );
  });
  breaches.forEach((span) => {
    chart.appendChild(
      svg('rect', {
        class: 'breach',
        x: x(span[0]),
        y: margin.top,
        width: Math.max(2, x(span[1]) - x(span[0])),
        height: plotHeight,
      }),
    );
  });
  chart.appendChild(
    svg('line', {
      class: 'target-line',
      x1: margin.left,
      x2: width - margin.right,
      y1: y(series.slo),
      y2: y(series.slo),
    }),
  );
  chart.appendChild(
    svg(
      'text',
      { class: 'target-label', x: width - margin.right - 2, y: y(series.slo) - 4, 'text-anchor': 'end' },
      'target ' + targetText,
    ),
  );
  if (path) chart.appendChild(svg('path', { class: 'series', d: path }));
  points.forEach((point, index) => {
    if (point[1] === null) return;
    const before = points[index - 1];
    const after = points[index + 1];
    const lonely = (!before || before[1] === null) && (!after || after[1] === null);
    if (point[2] === 'breached' || lonely) {
      chart.appendChild(
        svg('circle', {
          class: point[2] === 'breached' ? 'dot-breached' : 'dot',
          cx: x(point[0]),
          cy: y(point[1]),
          r: 2.5,
        }),
      );
    }
  });
  if (!points.length) {
    chart.appendChild(
      svg(
        'text',
        {
          class: 'empty',
          x: margin.left + plotWidth / 2,
          y: margin.top + plotHeight / 2,
          'text-anchor': 'middle',
        },
        'No measurements in the last ' + rangeText,
      ),
    );
  }
  plot.replaceChildren(chart);
}

// ---- range toggle ----
function renderRange(): void {
  document.querySelectorAll('.range button').forEach((button) => {
    button.setAttribute(
      'aria-pressed',
      Number(button.getAttribute('data-hours')) === hours ? 'true' : 'false',
    );
  });
}
document.querySelectorAll('.range button').forEach((button) => {
  button.addEventListener('click', () => {
    hours = Number(button.getAttribute('data-hours'));
    renderRange();
    if (histories[hours]) redrawCharts();
    void refreshCharts();
  });
});

// ---- polling ----
function render(): void {
  renderHeader();
  renderSpecs();
  drawPendingCharts();
}
function poll(): void {
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), Math.max(5000, pollSeconds() * 1000));
  fetch('/api/status', {
    cache: 'no-store',
    credentials: 'same-origin',
    signal: controller.signal,
    headers: { Accept: 'application/json' },
  })
    .then((response) => {
      if (response.status === 401)
        throw new Error('not authorised any more (reopen this page with ?token=...)');
      if (!response.ok) throw new Error('the monitor answered HTTP ' + response.status);
      return response.json() as Promise<StatusJson>;
    })
    .then((next) => {
      status = next;
      clockSkewMs = Date.now() - Date.parse(status.generated_at);
      lastSuccess = Date.now();
      failure = null;
      render();
    })
    .catch((error: unknown) => {
      // A DOMException (the abort) is not an Error in every browser: read its name and message as is.
      const problem = error as { name?: string; message?: string } | null;
      failure =
        problem?.name === 'AbortError'
          ? 'the monitor did not answer in time'
          : problem?.message || 'the monitor cannot be reached';
      if (/fetch/i.test(failure)) failure = 'the monitor cannot be reached';
      renderBanner();
    })
    .finally(() => {
      clearTimeout(timeout);
      setTimeout(poll, pollSeconds() * 1000);
    });
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(redrawCharts, 150);
});
setInterval(renderMeta, 1000);
setInterval(refreshCharts, config.chartRefreshSeconds * 1000);

renderRange();
render();
setTimeout(poll, pollSeconds() * 1000);
