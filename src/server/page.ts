import type { HistoryJson } from './history.js';
import { statusPageScript } from './page-script.js';
import { FAILED_CYCLES_NOT_READY, type StatusJson } from './status.js';

export interface StatusPageInput {
  /** Per-response CSP nonce for the inline style and script. */
  nonce: string;
  status: StatusJson;
  /** Series for the default chart range, so the first paint needs no fetch. */
  history: HistoryJson[];
  pollSeconds: number;
  chartRefreshSeconds: number;
  defaultHours: number;
}

/** Poll /api/status every min(interval, 15) s: fresh enough for a cycle, light on a long interval. */
export function pollSecondsFor(intervalSeconds: number): number {
  return Math.max(1, Math.min(intervalSeconds, 15));
}

/** Charts change slowly; refetch them every few polls, at least once a minute is plenty. */
export function chartRefreshSecondsFor(pollSeconds: number): number {
  return Math.max(60, pollSeconds * 4);
}

/**
 * JSON safe inside a <script> element: `<`, `>` and `&` become \u escapes so no `</script>` or
 * `<!--` can end the element early; U+2028/2029 are escaped for old parsers.
 */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The Content-Security-Policy of the page: same origin only, inline code only with this nonce. */
export function statusPagePolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --fg: #1b1f24; --muted: #57606a; --card: #ffffff; --border: #d0d7de;
  --ok: #1a7f37; --ok-bg: #dafbe1; --bad: #cf222e; --bad-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --unknown: #57606a; --unknown-bg: #eaeef2; --accent: #0969da; --line: #0969da; --grid: #d8dee4;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --card: #161b22; --border: #30363d;
    --ok: #3fb950; --ok-bg: #12261e; --bad: #f85149; --bad-bg: #2d1214; --warn: #d29922; --warn-bg: #2b2111;
    --unknown: #9198a1; --unknown-bg: #21262d; --accent: #4493f8; --line: #58a6ff; --grid: #262c34;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); }
.wrap { max-width: 1200px; margin: 0 auto; padding: 12px; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 16px; }
.top h1 { font-size: 1.35rem; margin: 0; flex: 1 1 auto; }
.meta { color: var(--muted); font-size: .88rem; margin: 6px 0 0; overflow-wrap: anywhere; }
.range { display: inline-flex; gap: 0; border: 1px solid var(--border); border-radius: 8px; overflow: hidden; }
.range button {
  font: inherit; font-size: .9rem; padding: 6px 12px; min-height: 36px; border: 0; cursor: pointer;
  background: var(--card); color: var(--fg); border-right: 1px solid var(--border);
}
.range button:last-child { border-right: 0; }
.range button[aria-pressed="true"] { background: var(--accent); color: #fff; font-weight: 600; }
.range button:focus-visible { outline: 2px solid var(--accent); outline-offset: -3px; }
.banner { margin: 10px 0 0; padding: 10px 12px; border-radius: 8px; border: 1px solid; font-weight: 600; }
.banner[hidden] { display: none; }
.banner-offline { background: var(--bad-bg); border-color: var(--bad); color: var(--fg); }
.banner-stale { background: var(--warn-bg); border-color: var(--warn); color: var(--fg); }
.spec { background: var(--card); border: 1px solid var(--border); border-radius: 12px; padding: 12px; margin: 14px 0; }
.spec-head { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 12px; }
.spec-head h2 { margin: 0; font-size: 1.2rem; overflow-wrap: anywhere; }
.counts { margin: 4px 0 8px; color: var(--muted); font-size: .9rem; }
.badge {
  display: inline-block; padding: 1px 9px; border-radius: 999px; border: 1px solid; font-weight: 600;
  font-size: .85rem; white-space: nowrap;
}
.badge-healthy { color: var(--ok); background: var(--ok-bg); border-color: var(--ok); }
.badge-unhealthy, .badge-breached { color: var(--bad); background: var(--bad-bg); border-color: var(--bad); }
.badge-degraded { color: var(--warn); background: var(--warn-bg); border-color: var(--warn); }
.badge-unknown { color: var(--unknown); background: var(--unknown-bg); border-color: var(--unknown); }
.spec-info { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 260px), 1fr)); gap: 4px 16px; }
.spec-info h3 { font-size: .95rem; margin: 8px 0 4px; }
.spec-info ul { margin: 0; padding-left: 1.1rem; }
.spec-info li { margin: 2px 0; overflow-wrap: anywhere; }
.muted { color: var(--muted); margin: 0; }
.sev { display: inline-block; font-weight: 700; font-size: .8rem; padding: 0 6px; border-radius: 4px; border: 1px solid var(--bad); color: var(--bad); }
.sev-pending { border-color: var(--warn); color: var(--warn); }
.budget meter { width: 100%; max-width: 220px; height: 10px; display: block; }
.nfrs { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 360px), 1fr)); gap: 12px; margin-top: 10px; }
.nfr { border: 1px solid var(--border); border-left-width: 5px; border-radius: 10px; padding: 10px; min-width: 0; }
.nfr-healthy { border-left-color: var(--ok); }
.nfr-breached { border-left-color: var(--bad); }
.nfr-unknown { border-left-color: var(--unknown); border-left-style: dashed; }
.nfr-name { margin: 0; font-size: 1rem; overflow-wrap: anywhere; }
.nfr-id { color: var(--muted); font-weight: 400; font-size: .8rem; margin-left: 6px; }
.nfr-line { margin: 6px 0; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px; }
.value { font-size: 1.25rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.target { color: var(--muted); }
.objective { margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 10px; color: var(--muted); }
.burn-rates { display: inline-flex; flex-wrap: wrap; gap: 4px 8px; }
details { margin: 4px 0; }
summary { cursor: pointer; color: var(--accent); }
details p { margin: 4px 0; font-size: .9rem; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; white-space: pre-wrap; }
.chart { margin: 6px 0 0; }
.plot { width: 100%; min-height: 150px; }
.plot svg { display: block; width: 100%; height: auto; }
.plot .empty { fill: var(--muted); font-size: 12px; }
.chart figcaption { font-size: .78rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: 2px 12px; }
.key::before { content: ""; display: inline-block; width: 16px; height: 0; vertical-align: middle; margin-right: 4px; }
.key-line::before { border-top: 2px solid var(--line); }
.key-target::before { border-top: 2px dashed var(--bad); }
.key-breach::before { height: 10px; background: var(--bad); opacity: .3; }
.key-nodata::before { height: 10px; background: var(--unknown); opacity: .3; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .tick { fill: var(--muted); font-size: 11px; font-family: inherit; }
svg .series { fill: none; stroke: var(--line); stroke-width: 1.8; stroke-linejoin: round; }
svg .target-line { stroke: var(--bad); stroke-width: 1.5; stroke-dasharray: 6 4; }
svg .target-label { fill: var(--bad); font-size: 11px; font-weight: 600; }
svg .breach { fill: var(--bad); fill-opacity: .16; }
svg .nodata { fill: var(--unknown); fill-opacity: .22; }
svg .dot-breached { fill: var(--bad); }
svg .dot { fill: var(--line); }
.burn-down { margin: 4px 0; }
.burn-down figcaption { font-size: .78rem; color: var(--muted); }
.burn-down-svg { display: block; width: 100%; height: auto; }
svg .spent-line { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 4 3; }
svg .burn-down-dot { fill: var(--line); }
svg .burn-down-label { fill: var(--fg); font-size: 11px; font-weight: 600; }
footer { color: var(--muted); font-size: .8rem; padding: 8px 0 24px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 480px) {
  body { font-size: 14px; }
  .wrap { padding: 8px; }
  .spec { padding: 10px; border-radius: 10px; }
}
`;

/** The self-contained status page: inline CSS and JS, the current status embedded for the first paint. */
export function renderStatusPage(input: StatusPageInput): string {
  const nonce = escapeAttribute(input.nonce);
  const config = {
    failedCyclesAlarm: FAILED_CYCLES_NOT_READY,
    pollSeconds: input.pollSeconds,
    chartRefreshSeconds: input.chartRefreshSeconds,
    defaultHours: input.defaultHours,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>Production monitor</title>
<link rel="icon" href="data:,">
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<div class="wrap">
<header>
  <div class="top">
    <h1>Production monitor</h1>
    <p id="overall" role="status" aria-live="polite"></p>
    <div class="range" role="group" aria-label="Chart range">
      <button type="button" data-hours="6" aria-pressed="false">6 h</button>
      <button type="button" data-hours="24" aria-pressed="false">24 h</button>
      <button type="button" data-hours="168" aria-pressed="false">7 d</button>
    </div>
  </div>
  <p class="meta" id="meta"></p>
  <div id="banner" class="banner" role="alert" hidden></div>
</header>
<main id="specs" aria-label="Monitored specs"></main>
<noscript><p>This page needs JavaScript to draw and refresh; the same data is at <a href="/api/status">/api/status</a>.</p></noscript>
<footer>Data: <a href="/api/status">/api/status</a> · <a href="/metrics">/metrics</a></footer>
</div>
<script type="application/json" id="initial-status">${jsonForScript(input.status)}</script>
<script type="application/json" id="initial-history">${jsonForScript(input.history)}</script>
<script type="application/json" id="page-config">${jsonForScript(config)}</script>
<script nonce="${nonce}">${statusPageScript()}</script>
</body>
</html>
`;
}
