/**
 * The status page's browser code, plain ES2020 with no dependencies. It is kept as text (not compiled
 * TypeScript) so it runs as written; it must contain no backtick and no dollar-brace sequence.
 * It renders from the embedded status, polls /api/status, refetches charts less often, and draws
 * each chart as inline SVG.
 */
export const STATUS_PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var HOUR_MS = 3600000;

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent || 'null') : null;
  }

  var config = readJson('page-config');
  var status = readJson('initial-status');
  var hours = config.defaultHours;
  var histories = {};
  histories[hours] = {};
  (readJson('initial-history') || []).forEach(function (series) {
    histories[hours][seriesKey(series.spec, series.metric)] = series;
  });
  var clockSkewMs = Date.now() - Date.parse(status.generated_at);
  var lastSuccess = Date.now();
  var failure = null;
  var specEntries = new Map();
  var chartsBusy = false;

  function seriesKey(spec, metric) { return spec + '\n' + metric; }
  function serverNow() { return Date.now() - clockSkewMs; }
  function byId(id) { return document.getElementById(id); }

  // ---- DOM helpers (textContent only: data never becomes markup) ----
  function h(tag, attributes, children) {
    var element = document.createElement(tag);
    setAttributes(element, attributes);
    appendChildren(element, children);
    return element;
  }
  function svg(tag, attributes, text) {
    var element = document.createElementNS(SVG_NS, tag);
    setAttributes(element, attributes);
    if (text !== undefined) element.textContent = text;
    return element;
  }
  function setAttributes(element, attributes) {
    if (!attributes) return;
    Object.keys(attributes).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === 'text') element.textContent = String(value);
      else element.setAttribute(name, value === true ? '' : String(value));
    });
  }
  function appendChildren(element, children) {
    if (children === null || children === undefined) return;
    (Array.isArray(children) ? children : [children]).forEach(function (child) {
      if (child === null || child === undefined || child === false || child === '') return;
      element.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
  }

  // Rebuild a block only when its data changed: keeps focus, open <details> and screen readers calm.
  var signatures = new WeakMap();
  function replaceIfChanged(element, signature, build) {
    if (signatures.get(element) === signature) return false;
    signatures.set(element, signature);
    element.replaceChildren();
    appendChildren(element, build());
    return true;
  }

  // ---- formatting ----
  var UNIT_LABEL = { ns: ' ns', us: ' µs', ms: ' ms', s: ' s', min: ' min', h: ' h', '%': '%', ratio: '', rps: ' req/s', rpm: ' req/min', count: '' };
  function formatNumber(value) {
    if (value === null || value === undefined || !isFinite(value)) return 'n/a';
    if (Math.abs(value) >= 1000) return String(Math.round(value));
    return String(Number(value.toPrecision(5)));
  }
  function formatValue(value, unit) {
    if (value === null || value === undefined) return 'no value';
    var label = Object.prototype.hasOwnProperty.call(UNIT_LABEL, unit) ? UNIT_LABEL[unit] : ' ' + (unit || '');
    return formatNumber(value) + label;
  }
  var COMPARATOR_TEXT = { '<=': '\u2264', '>=': '\u2265' };
  function comparatorText(comparator) { return COMPARATOR_TEXT[comparator] || comparator; }
  function formatDuration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    if (seconds < 60) return seconds + ' s';
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min';
    var hoursPart = Math.floor(minutes / 60);
    if (hoursPart < 48) return hoursPart + ' h ' + (minutes % 60) + ' min';
    return Math.floor(hoursPart / 24) + ' d ' + (hoursPart % 24) + ' h';
  }
  function formatTime(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }
  function formatDateTime(iso) {
    if (!iso) return 'never';
    var date = new Date(iso);
    var sameDay = new Date(serverNow()).toDateString() === date.toDateString();
    return sameDay
      ? formatTime(date.getTime())
      : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }
  function timeElement(iso) {
    return h('time', { datetime: iso, title: iso ? new Date(iso).toString() : null, text: formatDateTime(iso) });
  }
  function agoText(iso) {
    return formatDuration((serverNow() - Date.parse(iso)) / 1000) + ' ago';
  }

  var OVERALL = { healthy: ['\u2713', 'Healthy'], unhealthy: ['\u2717', 'Unhealthy'], degraded: ['!', 'Degraded'] };
  var NFR_STATUS = { healthy: ['\u2713', 'Healthy'], breached: ['\u2717', 'Breached'], unknown: ['?', 'Unknown'] };
  function badge(table, value) {
    var entry = table[value] || ['?', String(value)];
    return h('span', { class: 'badge badge-' + value }, [h('span', { 'aria-hidden': 'true', text: entry[0] }), ' ' + entry[1]]);
  }

  // ---- header, banner ----
  function worstOverall(specs) {
    var rank = { healthy: 0, degraded: 1, unhealthy: 2 };
    var worst = 'healthy';
    specs.forEach(function (spec) { if ((rank[spec.status] || 0) > rank[worst]) worst = spec.status; });
    return worst;
  }
  // Before the first cycle has finished there is nothing to show yet: ask again soon.
  function pollSeconds() {
    if (!status.last_cycle) return 1;
    return Math.max(1, Math.min(status.interval_seconds || config.pollSeconds, 15));
  }
  function staleReason() {
    if (!status.last_cycle) return 'Waiting for the first check to finish.';
    var ageSeconds = (Date.parse(status.generated_at) - Date.parse(status.last_cycle.finished_at)) / 1000;
    var limit = 2.5 * status.interval_seconds + 10;
    if (ageSeconds > limit) {
      return 'Stale: the last check finished ' + formatDuration(ageSeconds) + ' ago (checks run every ' +
        formatDuration(status.interval_seconds) + '); the monitor may be stuck.';
    }
    return null;
  }
  function renderHeader() {
    var overall = worstOverall(status.specs);
    var unhealthy = status.specs.filter(function (spec) { return spec.status !== 'healthy'; }).length;
    // A live region: touched only when the verdict changes, so it is announced once.
    replaceIfChanged(byId('overall'), overall + '|' + status.specs.length + '|' + unhealthy, function () {
      return [
        status.specs.length ? badge(OVERALL, overall) : h('span', { class: 'badge badge-unknown', text: 'No specs' }),
        ' ' + status.specs.length + ' spec' + (status.specs.length === 1 ? '' : 's') +
          (unhealthy ? ', ' + unhealthy + ' not healthy' : ''),
      ];
    });
    document.title = (status.specs.length ? OVERALL[overall][1] : 'No specs') + ' \u2014 Production monitor';
    renderMeta();
    renderBanner();
  }
  function renderMeta() {
    var cycle = status.last_cycle;
    byId('meta').replaceChildren(
      'v' + status.version + ' \u00b7 checks every ' + formatDuration(status.interval_seconds) + ' \u00b7 last check ',
      cycle ? timeElement(cycle.finished_at) : 'not yet',
      cycle ? ' (took ' + formatNumber(cycle.duration_ms / 1000) + ' s' + (cycle.slow ? ', slow' : '') + ')' : '',
      ' \u00b7 ',
      h('span', { id: 'last-updated', text: 'last updated ' + formatTime(lastSuccess) + ' (' + formatDuration((Date.now() - lastSuccess) / 1000) + ' ago)' }),
    );
  }
  function renderBanner() {
    var banner = byId('banner');
    var stale = staleReason();
    var connection = failure ? 'offline' : stale ? 'stale' : 'ok';
    document.body.setAttribute('data-connection', connection);
    if (connection === 'ok') {
      banner.hidden = true;
      banner.textContent = '';
      return;
    }
    banner.hidden = false;
    banner.className = 'banner banner-' + connection;
    banner.textContent = failure
      ? 'Offline: ' + failure + '. Showing data from ' + formatTime(lastSuccess) + '; retrying every ' + formatDuration(pollSeconds()) + '.'
      : stale;
  }

  // ---- specs ----
  function slug(text) { return String(text).replace(/[^A-Za-z0-9_-]/g, '_'); }
  function renderSpecs() {
    var main = byId('specs');
    var seen = new Set();
    status.specs.forEach(function (spec, index) {
      seen.add(spec.spec_id);
      var entry = specEntries.get(spec.spec_id);
      if (!entry) {
        entry = createSpec(spec.spec_id);
        specEntries.set(spec.spec_id, entry);
      }
      updateSpec(entry, spec);
      if (main.children[index] !== entry.section) main.insertBefore(entry.section, main.children[index] || null);
    });
    specEntries.forEach(function (entry, id) {
      if (!seen.has(id)) { entry.section.remove(); specEntries.delete(id); }
    });
    var empty = byId('no-specs');
    if (status.specs.length === 0 && !empty) main.appendChild(h('p', { id: 'no-specs', class: 'muted', text: 'No spec is monitored yet.' }));
    if (status.specs.length > 0 && empty) empty.remove();
  }
  function createSpec(specId) {
    var titleId = 'spec-' + slug(specId);
    var entry = {
      section: h('section', { class: 'spec', 'data-spec': specId, 'aria-labelledby': titleId }),
      badge: h('span', { class: 'spec-badge' }),
      counts: h('p', { class: 'counts' }),
      info: h('div', { class: 'spec-info' }),
      nfrs: h('div', { class: 'nfrs' }),
      cards: new Map(),
    };
    appendChildren(entry.section, [
      h('header', { class: 'spec-head' }, [h('h2', { id: titleId, text: specId }), entry.badge]),
      entry.counts, entry.info, entry.nfrs,
    ]);
    return entry;
  }
  function findMetric(spec, name) {
    for (var i = 0; i < spec.metrics.length; i++) if (spec.metrics[i].name === name) return spec.metrics[i];
    return null;
  }
  function updateSpec(entry, spec) {
    entry.section.setAttribute('data-status', spec.status);
    replaceIfChanged(entry.badge, spec.status, function () { return badge(OVERALL, spec.status); });
    var counts = spec.counts;
    replaceIfChanged(entry.counts, JSON.stringify([counts, spec.checked_at]), function () {
      return [
        counts.healthy + ' healthy \u00b7 ' + counts.breached + ' breached \u00b7 ' + counts.unknown + ' unknown' +
          (counts.unmapped ? ' \u00b7 ' + counts.unmapped + ' unmapped (not measured)' : '') +
          (counts.unmonitored - (counts.unmapped || 0) ? ' \u00b7 ' + (counts.unmonitored - (counts.unmapped || 0)) + ' not monitored' : '') + ' \u2014 checked ',
        timeElement(spec.checked_at),
      ];
    });
    // The minute is part of the signature so "since ... (N min ago)" stays true.
    var infoSignature = JSON.stringify([spec.alerts, spec.budgets, spec.reports, spec.metrics.map(function (m) { return m.unit; }), Math.floor(serverNow() / 60000)]);
    replaceIfChanged(entry.info, infoSignature, function () {
      return [incidentsBlock(spec), pendingBlock(spec), budgetsBlock(spec), reportsBlock(spec)];
    });
    var seen = new Set();
    spec.metrics.forEach(function (metric, index) {
      seen.add(metric.name);
      var card = entry.cards.get(metric.name);
      if (!card) {
        card = createCard(spec.spec_id, metric.name);
        entry.cards.set(metric.name, card);
      }
      updateCard(card, metric);
      if (entry.nfrs.children[index] !== card.element) entry.nfrs.insertBefore(card.element, entry.nfrs.children[index] || null);
    });
    entry.cards.forEach(function (card, name) {
      if (!seen.has(name)) { card.element.remove(); entry.cards.delete(name); }
    });
  }
  function incidentsBlock(spec) {
    var firing = spec.alerts.filter(function (alert) { return alert.phase === 'firing'; });
    return h('section', { class: 'incidents', 'aria-label': 'Open incidents of ' + spec.spec_id }, [
      h('h3', { text: 'Open incidents (' + firing.length + ')' }),
      firing.length
        ? h('ul', null, firing.map(function (alert) {
            var metric = findMetric(spec, alert.metric);
            return h('li', { class: 'incident', 'data-metric': alert.metric }, [
              h('span', { class: 'sev', text: alert.severity || 'no severity' }), ' ',
              h('strong', { text: alert.metric }),
              alert.kind === 'no_data' ? ' (no data)' : ' (SLO breached)',
              alert.since ? ' \u2014 since ' : '', alert.since ? timeElement(alert.since) : null,
              alert.since ? ' (' + agoText(alert.since) + ')' : '',
              alert.worst_value !== null ? ' \u2014 worst ' + formatValue(alert.worst_value, metric ? metric.unit : '') : '',
            ]);
          }))
        : h('p', { class: 'muted', text: 'None.' }),
    ]);
  }
  function pendingBlock(spec) {
    var pending = spec.alerts.filter(function (alert) { return alert.phase === 'pending'; });
    if (!pending.length) return null;
    return h('section', { class: 'pending', 'aria-label': 'Pending alerts of ' + spec.spec_id }, [
      h('h3', { text: 'Pending (' + pending.length + ')' }),
      h('ul', null, pending.map(function (alert) {
        return h('li', { class: 'pending-alert', 'data-metric': alert.metric }, [
          h('span', { class: 'sev sev-pending', text: 'pending' }), ' ',
          h('strong', { text: alert.metric }),
          alert.kind === 'no_data' ? ' (no data)' : '',
          ' \u2014 bad for ' + alert.bad_cycles + ' check' + (alert.bad_cycles === 1 ? '' : 's'),
          alert.since ? ' since ' : '', alert.since ? timeElement(alert.since) : null,
        ]);
      })),
    ]);
  }
  function budgetsBlock(spec) {
    if (!spec.budgets.length) return null;
    return h('section', { class: 'budgets', 'aria-label': 'Error budgets of ' + spec.spec_id }, [
      h('h3', { text: 'Error budget left' }),
      h('ul', null, spec.budgets.map(function (budget) {
        var text = budget.remaining === null
          ? 'no data yet'
          : budget.remaining < 0
            ? 'overspent by ' + formatNumber(-budget.remaining * 100) + '%'
            : formatNumber(budget.remaining * 100) + '% left';
        return h('li', { class: 'budget', 'data-metric': budget.metric }, [
          h('strong', { text: budget.metric }), ': ' + text + ' of the ' + budget.window_days + '-day budget',
          budget.remaining === null ? null : h('meter', {
            min: 0, max: 1, low: 0.25, high: 0.5, optimum: 1,
            value: Math.max(0, Math.min(1, budget.remaining)),
            'aria-label': 'Error budget left for ' + budget.metric,
          }),
        ]);
      })),
    ]);
  }
  function reportUrl(path) { return '/reports/' + path.split('/').map(encodeURIComponent).join('/'); }
  function reportsBlock(spec) {
    var links = [];
    [['daily', 'Daily'], ['weekly', 'Weekly']].forEach(function (kind) {
      (spec.reports[kind[0]] || []).slice(0, 3).forEach(function (path) {
        links.push(h('li', null, [kind[1] + ': ', h('a', { href: reportUrl(path), text: path.split('/').pop() })]));
      });
    });
    return h('section', { class: 'reports', 'aria-label': 'Reports of ' + spec.spec_id }, [
      h('h3', { text: 'Latest reports' }),
      links.length ? h('ul', null, links) : h('p', { class: 'muted', text: 'None yet.' }),
    ]);
  }

  // ---- NFR cards ----
  function createCard(specId, metricName) {
    var card = {
      spec: specId, metric: metricName, status: null,
      element: h('article', { class: 'nfr', 'data-metric': metricName }),
      text: h('div', { class: 'nfr-text' }),
      plot: h('div', { class: 'plot', 'data-chart': metricName }),
    };
    var figure = h('figure', { class: 'chart' }, [
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
  function updateCard(card, metric) {
    var previousDetails = card.text.querySelector('details');
    var open = previousDetails ? previousDetails.open : false;
    card.element.className = 'nfr nfr-' + metric.status;
    card.element.setAttribute('data-status', metric.status);
    card.target = comparatorText(metric.comparator) + ' ' + formatValue(metric.slo, metric.unit);
    replaceIfChanged(card.text, JSON.stringify(metric), function () {
      var statusText = NFR_STATUS[metric.status] ? NFR_STATUS[metric.status][1].toLowerCase() : metric.status;
      return [
        h('h3', { class: 'nfr-name' }, [metric.name, metric.nfr_id ? h('span', { class: 'nfr-id', text: metric.nfr_id }) : null]),
        h('p', { class: 'nfr-line' }, [
          badge(NFR_STATUS, metric.status),
          h('span', { class: 'value', text: formatValue(metric.value, metric.unit) }),
          h('span', { class: 'target', text: 'target ' + card.target }),
        ]),
        h('details', { open: open }, [
          h('summary', { text: 'Why ' + statusText }),
          h('p', { class: 'reason', text: metric.reason }),
          h('p', null, [h('strong', { text: 'Requirement: ' }), metric.requirement + ' (target as written: ' + metric.target + ', spec line ' + metric.spec_line + ')']),
          h('p', null, [h('strong', { text: 'Query (' + metric.provider + '): ' }), h('code', { text: metric.query })]),
        ]),
      ];
    });
    var changed = card.status !== null && card.status !== metric.status;
    card.status = metric.status;
    var series = histories[hours] && histories[hours][seriesKey(card.spec, card.metric)];
    // Drawn after the card is in the document, when its width is known.
    if (changed || !series) card.pending = 'load';
    else if (!card.plot.firstChild) card.pending = 'draw';
  }
  function drawPendingCharts() {
    allCards().forEach(function (card) {
      var pending = card.pending;
      card.pending = null;
      if (pending === 'load') loadChart(card);
      else if (pending === 'draw') drawChart(card, histories[hours][seriesKey(card.spec, card.metric)]);
    });
  }

  // ---- charts ----
  function historyUrl(card, rangeHours) {
    return '/api/history?spec=' + encodeURIComponent(card.spec) + '&metric=' + encodeURIComponent(card.metric) +
      '&hours=' + rangeHours;
  }
  function loadChart(card) {
    var rangeHours = hours;
    if (!card.plot.firstChild) card.plot.replaceChildren(h('p', { class: 'muted', text: 'Loading chart\u2026' }));
    return fetch(historyUrl(card, rangeHours), { cache: 'no-store', credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (series) {
        histories[rangeHours] = histories[rangeHours] || {};
        histories[rangeHours][seriesKey(card.spec, card.metric)] = series;
        if (rangeHours === hours) drawChart(card, series);
      })
      .catch(function () {
        if (!card.plot.querySelector('svg')) card.plot.replaceChildren(h('p', { class: 'muted', text: 'Chart unavailable; retrying later.' }));
      });
  }
  function allCards() {
    var cards = [];
    specEntries.forEach(function (entry) { entry.cards.forEach(function (card) { cards.push(card); }); });
    return cards;
  }
  function refreshCharts() {
    if (chartsBusy) return Promise.resolve();
    chartsBusy = true;
    // One request at a time: the page should never burst the daemon.
    return allCards().reduce(function (chain, card) {
      return chain.then(function () { return loadChart(card); });
    }, Promise.resolve()).finally(function () { chartsBusy = false; });
  }
  function redrawCharts() {
    allCards().forEach(function (card) {
      var series = histories[hours] && histories[hours][seriesKey(card.spec, card.metric)];
      if (series) drawChart(card, series);
    });
  }
  function niceTicks(low, high, count) {
    var span = high - low;
    if (!(span > 0)) return [low];
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var error = span / count / step;
    if (error >= 7.5) step *= 10;
    else if (error >= 3.5) step *= 5;
    else if (error >= 1.5) step *= 2;
    var ticks = [];
    for (var value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
    return ticks;
  }
  function medianStep(points) {
    var steps = [];
    for (var i = 1; i < points.length; i++) steps.push(points[i][0] - points[i - 1][0]);
    steps.sort(function (a, b) { return a - b; });
    return steps.length ? steps[Math.floor(steps.length / 2)] : 0;
  }
  function addSpan(spans, start, end) {
    if (!(end > start)) return;
    var last = spans[spans.length - 1];
    if (last && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else spans.push([start, end]);
  }
  function drawChart(card, series) {
    var plot = card.plot;
    var width = Math.max(220, Math.floor(plot.clientWidth || 320));
    var height = width < 480 ? 150 : 180;
    var margin = { left: 50, right: 8, top: 10, bottom: 22 };
    var end = Date.parse(series.to);
    var start = end - series.hours * HOUR_MS;
    var points = series.points.filter(function (point) { return point[0] >= start && point[0] <= end; });
    var values = points.map(function (point) { return point[1]; }).filter(function (value) { return value !== null; });
    var breachedCount = points.filter(function (point) { return point[2] === 'breached'; }).length;
    var unknownCount = points.filter(function (point) { return point[1] === null; }).length;
    var rangeText = series.hours >= 48 ? formatNumber(series.hours / 24) + ' d' : formatNumber(series.hours) + ' h';
    var targetText = comparatorText(series.comparator) + ' ' + formatValue(series.slo, series.unit);
    var label = series.metric + ' over the last ' + rangeText + ': ' + points.length + ' points, ' + breachedCount +
      ' breached, ' + unknownCount + ' without data; target ' + targetText +
      (values.length ? '; latest ' + formatValue(values[values.length - 1], series.unit) : '');

    var chart = svg('svg', {
      class: 'chart-svg', width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': label, 'data-points': points.length, 'data-breached': breachedCount,
    });
    chart.appendChild(svg('title', null, label));
    var low = Math.min.apply(null, values.concat([series.slo]));
    var high = Math.max.apply(null, values.concat([series.slo]));
    if (low >= 0 && low < high * 0.35) low = 0; // starting at zero costs little here and reads better
    var pad = (high - low) * 0.08 || Math.abs(high) * 0.05 || 1;
    high += pad;
    if (low !== 0) low -= pad;
    var plotWidth = width - margin.left - margin.right;
    var plotHeight = height - margin.top - margin.bottom;
    function x(time) { return margin.left + ((time - start) / (end - start)) * plotWidth; }
    function y(value) { return margin.top + (1 - (value - low) / (high - low)) * plotHeight; }

    niceTicks(low, high, 4).forEach(function (tick) {
      if (tick < low || tick > high) return;
      chart.appendChild(svg('line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick) }));
      chart.appendChild(svg('text', { class: 'tick', x: margin.left - 4, y: y(tick) + 4, 'text-anchor': 'end' }, formatNumber(tick)));
    });
    var labels = Math.max(2, Math.min(6, Math.floor(plotWidth / 90)));
    for (var i = 0; i <= labels; i++) {
      var time = start + ((end - start) * i) / labels;
      var text = series.hours > 24
        ? new Date(time).toLocaleDateString([], { month: 'short', day: 'numeric' })
        : new Date(time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      var anchor = i === 0 ? 'start' : i === labels ? 'end' : 'middle';
      chart.appendChild(svg('text', { class: 'tick', x: x(time), y: height - 6, 'text-anchor': anchor }, text));
    }

    var step = medianStep(points) || (end - start) / 300;
    var breaches = [];
    var gaps = [];
    var path = '';
    var penDown = false;
    points.forEach(function (point, index) {
      var next = points[index + 1];
      var isGap = next && next[0] - point[0] > Math.max(3 * step, 1);
      var until = next && !isGap ? next[0] : Math.min(end, point[0] + step);
      if (point[2] === 'breached') addSpan(breaches, point[0], until);
      if (point[1] === null) addSpan(gaps, point[0], until);
      if (isGap) addSpan(gaps, point[0] + step, next[0]);
      if (point[1] === null) { penDown = false; return; }
      path += (penDown ? 'L' : 'M') + x(point[0]).toFixed(1) + ' ' + y(point[1]).toFixed(1);
      penDown = !isGap;
    });
    gaps.forEach(function (span) {
      chart.appendChild(svg('rect', { class: 'nodata', x: x(span[0]), y: margin.top, width: Math.max(1, x(span[1]) - x(span[0])), height: plotHeight }));
    });
    breaches.forEach(function (span) {
      chart.appendChild(svg('rect', { class: 'breach', x: x(span[0]), y: margin.top, width: Math.max(2, x(span[1]) - x(span[0])), height: plotHeight }));
    });
    chart.appendChild(svg('line', { class: 'target-line', x1: margin.left, x2: width - margin.right, y1: y(series.slo), y2: y(series.slo) }));
    chart.appendChild(svg('text', { class: 'target-label', x: width - margin.right - 2, y: y(series.slo) - 4, 'text-anchor': 'end' }, 'target ' + targetText));
    if (path) chart.appendChild(svg('path', { class: 'series', d: path }));
    points.forEach(function (point, index) {
      if (point[1] === null) return;
      var lonely = (!points[index - 1] || points[index - 1][1] === null) && (!points[index + 1] || points[index + 1][1] === null);
      if (point[2] === 'breached' || lonely) {
        chart.appendChild(svg('circle', { class: point[2] === 'breached' ? 'dot-breached' : 'dot', cx: x(point[0]), cy: y(point[1]), r: 2.5 }));
      }
    });
    if (!points.length) {
      chart.appendChild(svg('text', { class: 'empty', x: margin.left + plotWidth / 2, y: margin.top + plotHeight / 2, 'text-anchor': 'middle' }, 'No measurements in the last ' + rangeText));
    }
    plot.replaceChildren(chart);
  }

  // ---- range toggle ----
  function renderRange() {
    document.querySelectorAll('.range button').forEach(function (button) {
      button.setAttribute('aria-pressed', Number(button.getAttribute('data-hours')) === hours ? 'true' : 'false');
    });
  }
  document.querySelectorAll('.range button').forEach(function (button) {
    button.addEventListener('click', function () {
      hours = Number(button.getAttribute('data-hours'));
      renderRange();
      if (histories[hours]) redrawCharts();
      refreshCharts();
    });
  });

  // ---- polling ----
  function render() {
    renderHeader();
    renderSpecs();
    drawPendingCharts();
  }
  function poll() {
    var controller = new AbortController();
    var timeout = setTimeout(function () { controller.abort(); }, Math.max(5000, pollSeconds() * 1000));
    fetch('/api/status', { cache: 'no-store', credentials: 'same-origin', signal: controller.signal, headers: { Accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 401) throw new Error('not authorised any more (reopen this page with ?token=...)');
        if (!response.ok) throw new Error('the monitor answered HTTP ' + response.status);
        return response.json();
      })
      .then(function (next) {
        status = next;
        clockSkewMs = Date.now() - Date.parse(status.generated_at);
        lastSuccess = Date.now();
        failure = null;
        render();
      })
      .catch(function (error) {
        failure = error && error.name === 'AbortError' ? 'the monitor did not answer in time' : (error && error.message) || 'the monitor cannot be reached';
        if (/fetch/i.test(failure)) failure = 'the monitor cannot be reached';
        renderBanner();
      })
      .finally(function () {
        clearTimeout(timeout);
        setTimeout(poll, pollSeconds() * 1000);
      });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(redrawCharts, 150);
  });
  setInterval(renderMeta, 1000);
  setInterval(refreshCharts, config.chartRefreshSeconds * 1000);

  renderRange();
  render();
  setTimeout(poll, pollSeconds() * 1000);
})();
`;
