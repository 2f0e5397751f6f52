import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/server/index.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { alertState, type FakeSource, specStatus } from './fixtures.js';
import {
  applyScenario,
  CHECKOUT_METRICS,
  PAYMENTS_ERROR_RATE_BURN_DOWN,
  scenarioSource,
} from './scenario.js';

const skipReason = chromiumSkipReason();
const haveChromium = skipReason === null;
if (skipReason) console.warn(`status page browser tests skipped: ${skipReason}`);

const TOKEN = 'page-token-Qx81-never-shown';
/** A guard against a hang only; the page polls every second. */
const UPDATE_WAIT_MS = 15_000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const REPORTS = {
  daily: ['.spec/reports/production-monitoring/checkout/daily/2026-11-26.md'],
  weekly: ['.spec/reports/production-monitoring/checkout/weekly/2026-W48.html'],
};

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

describe.skipIf(!haveChromium)('status page in a real Chromium', () => {
  let browser: Browser;
  let server: RunningServer;
  let source: FakeSource;
  let shotsDir: string;
  /**
   * The server's clock, held still: staleness (generated_at against the last cycle) and the chart
   * windows then do not drift while a slow machine runs the tests one after another.
   */
  const serverNow = new Date();
  const clock = { now: () => new Date(serverNow) };
  /** Console errors, page errors, failed requests and HTTP errors seen by the watched pages. */
  let problems: string[] = [];

  beforeAll(async () => {
    shotsDir = await mkdtemp(path.join(os.tmpdir(), 'status-page-shots-'));
    source = scenarioSource({
      now: serverNow,
      intervalSeconds: 1,
      reports: REPORTS,
    });
    server = await startServer({ host: '127.0.0.1', port: 0, token: TOKEN, source }, clock);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    source?.close();
    if (shotsDir) await rm(shotsDir, { recursive: true, force: true });
  });

  function watch(page: Page, label: string): void {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`${label} console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${label} page error: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`${label} request failed: ${request.url()} ${request.failure()?.errorText}`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${label} HTTP ${response.status()}: ${response.url()}`);
    });
  }

  /** Opens the page with ?token= once, as a user would; the server trades it for a cookie. */
  async function openPage(
    options: BrowserContextOptions,
    label: string,
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    watch(page, label);
    await page.goto(`${server.url}/?token=${TOKEN}`);
    expect(page.url()).toBe(`${server.url}/`);
    await page.locator('svg.chart-svg').first().waitFor();
    return { context, page };
  }

  const waitForPoll = (page: Page) =>
    page.waitForResponse((response) => response.url() === `${server.url}/api/status` && response.ok());

  async function screenshot(page: Page, name: string): Promise<Buffer> {
    const file = path.join(shotsDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    // A copy for people to look at, outside the temp dir this test removes.
    await copyFile(file, path.join(os.tmpdir(), `status-page-${name}.png`));
    const png = await readFile(file);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.length).toBeGreaterThan(10 * 1024);
    return png;
  }

  it('first paint shows verdicts, values, incidents, budgets, reports and charts, without errors', async () => {
    problems = [];
    const { context, page } = await openPage(DESKTOP, 'desktop');
    try {
      const checkout = page.locator('section[data-spec="checkout"]');
      const payments = page.locator('section[data-spec="payments"]');
      await expect.poll(() => checkout.getAttribute('data-status')).toBe('healthy');
      expect(await checkout.locator('.spec-badge').textContent()).toContain('Healthy');
      expect(await payments.getAttribute('data-status')).toBe('unhealthy');
      expect(await payments.locator('.spec-badge').textContent()).toContain('Unhealthy');
      expect(await page.locator('#overall').textContent()).toContain('Unhealthy');

      const p95 = checkout.locator('article[data-metric="p95_latency"]');
      expect(await p95.locator('.value').textContent()).toBe('212 ms');
      expect(await p95.locator('.target').textContent()).toBe('target < 300 ms');
      expect(await p95.locator('.badge').textContent()).toContain('Healthy');
      const p99 = payments.locator('article[data-metric="p99_latency"]');
      expect(await p99.getAttribute('data-status')).toBe('breached');
      expect(await p99.locator('.value').textContent()).toBe('812 ms');
      expect(await p99.locator('.badge').textContent()).toContain('Breached');
      expect(await payments.locator('article[data-metric="throughput"] .value').textContent()).toBe(
        'no value',
      );
      expect(await checkout.locator('article[data-metric="availability"] .target').textContent()).toBe(
        'target \u2265 99.9 %',
      );

      // The reason is there on demand.
      const reason = p99.locator('details .reason');
      expect(await reason.isVisible()).toBe(false);
      await p99.locator('details summary').click();
      expect(await reason.textContent()).toContain('p99_latency = 812 ms');

      const incident = payments.locator('li.incident');
      expect(await incident.count()).toBe(1);
      const incidentText = await incident.textContent();
      expect(incidentText).toContain('SEV-2');
      expect(incidentText).toContain('p99_latency');
      expect(incidentText).toContain('worst 905 ms');
      expect(await checkout.locator('.incidents').textContent()).toContain('None');
      expect(await payments.locator('li.pending-alert').textContent()).toContain('throughput');
      expect(await payments.locator('li.budget[data-metric="error_rate"]').textContent()).toContain(
        '42 % left',
      );
      expect(await payments.locator('li.budget[data-metric="p99_latency"]').textContent()).toContain(
        'overspent by 12 %',
      );
      // The objective measured from the backend: budget left over its window and the current burn rates.
      const errorRate = payments.locator('article[data-metric="error_rate"]');
      expect(await errorRate.locator('.objective .budget-left').textContent()).toBe(
        '42 % of budget left (30d)',
      );
      expect(await errorRate.locator('.burn-rate').allTextContents()).toEqual([
        'burn 1h 20\u00d7',
        'burn 6h 3.4\u00d7',
        'burn 3d ?',
      ]);
      expect(await p99.locator('.objective').count()).toBe(0);
      // The burn-down from /api/status: 31 daily points (one without data, left as a gap), whole until
      // day 21, then down to the 42 % left, labelled at its end.
      const burnDown = errorRate.locator('figure.burn-down svg.burn-down-svg');
      expect(await burnDown.isVisible()).toBe(true);
      expect(await burnDown.getAttribute('data-points')).toBe(String(PAYMENTS_ERROR_RATE_BURN_DOWN.length));
      expect(await burnDown.locator('circle.burn-down-dot').count()).toBe(30);
      expect(await burnDown.locator('rect.nodata').count()).toBe(1);
      expect(await burnDown.locator('path.series').getAttribute('d')).toMatch(/^M[^M]+M[^M]+$/);
      expect(await burnDown.locator('text.burn-down-label').textContent()).toBe('42 % left');
      expect(await burnDown.getAttribute('aria-label')).toBe(
        'error_rate error budget burn-down over the 30d window: 31 points, 1 without data; 42 % left',
      );
      expect((await burnDown.boundingBox())!.width).toBeGreaterThan(250);
      expect(await errorRate.locator('figure.burn-down figcaption').textContent()).toBe(
        'Error budget burn-down (30d)',
      );
      expect(await p99.locator('.burn-down').count()).toBe(0);
      expect(await checkout.locator('.reports a').first().getAttribute('href')).toBe(
        '/reports/.spec/reports/production-monitoring/checkout/daily/2026-11-26.md',
      );

      // The chart: measured line, dashed target, the last hour's breach shaded, the no-data tail shaded.
      const chart = p99.locator('svg.chart-svg');
      expect(await chart.isVisible()).toBe(true);
      expect(await chart.locator('path.series').count()).toBe(1);
      expect(await chart.locator('line.target-line').count()).toBe(1);
      expect(await chart.locator('rect.breach').count()).toBeGreaterThanOrEqual(1);
      expect(await chart.getAttribute('aria-label')).toContain('target < 500 ms');
      const box = await chart.boundingBox();
      expect(box!.width).toBeGreaterThan(250);
      expect(await p95.locator('svg.chart-svg rect.breach').count()).toBe(0);
      expect(
        await payments.locator('article[data-metric="throughput"] svg rect.nodata').count(),
      ).toBeGreaterThanOrEqual(1);

      await waitForPoll(page);
      expect(await page.locator('#last-updated').textContent()).toMatch(/last updated \d\d:\d\d:\d\d/);
      expect(await page.locator('#banner').isVisible()).toBe(false);
      await screenshot(page, 'desktop');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('updates in place, without a reload, when a breach starts', async () => {
    problems = [];
    const { context, page } = await openPage(DESKTOP, 'update');
    const rowCount = source.rows.length;
    try {
      // A mark that a reload would wipe out. (Browser code is passed as text: no DOM types here.)
      await page.evaluate('window.notReloaded = true');
      const checkout = page.locator('section[data-spec="checkout"]');
      expect(await checkout.getAttribute('data-status')).toBe('healthy');

      const now = serverNow;
      const breachedMetrics = CHECKOUT_METRICS.map((metric) =>
        metric.metric === 'p95_latency' ? { ...metric, value: 450, status: 'breached' as const } : metric,
      );
      source.rows = [
        ...source.rows,
        {
          at: new Date(now.getTime() - 1000),
          specId: 'checkout',
          metric: 'p95_latency',
          value: 450,
          slo: 300,
          status: 'breached',
          reason: '',
        },
      ];
      source.specList = [
        specStatus('checkout', breachedMetrics, now, {
          alerts: [
            alertState('checkout', 'p95_latency', 'firing', now, { severity: 'SEV-1', worstValue: 450 }),
          ],
        }),
        source.specList[1]!,
      ];
      source.cycle = { startedAt: now, finishedAt: now, durationMs: 5, slow: false };

      await checkout.and(page.locator('[data-status="unhealthy"]')).waitFor({ timeout: UPDATE_WAIT_MS });
      const p95 = checkout.locator('article[data-metric="p95_latency"]');
      expect(await p95.locator('.value').textContent()).toBe('450 ms');
      expect(await p95.locator('.badge').textContent()).toContain('Breached');
      expect(await checkout.locator('.spec-badge').textContent()).toContain('Unhealthy');
      expect(await checkout.locator('li.incident').textContent()).toContain('SEV-1');
      // The changed metric's chart is refetched and now shows the breach.
      await p95.locator('svg.chart-svg rect.breach').first().waitFor({ timeout: UPDATE_WAIT_MS });
      expect(await page.evaluate('window.notReloaded')).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      source.rows = source.rows.slice(0, rowCount);
      applyScenario(source, serverNow, REPORTS);
      await context.close();
    }
  });

  it('switches the charts between 6 h, 24 h and 7 d', async () => {
    problems = [];
    const { context, page } = await openPage(DESKTOP, 'range');
    try {
      const availability = page.locator(
        'section[data-spec="checkout"] article[data-metric="availability"] svg.chart-svg',
      );
      expect(await page.locator('button[data-hours="24"]').getAttribute('aria-pressed')).toBe('true');
      // The dip two days ago and yesterday's hour without data are outside 24 h.
      expect(await availability.locator('rect.breach').count()).toBe(0);
      expect(await availability.locator('rect.nodata').count()).toBe(0);

      await page.locator('button[data-hours="168"]').click();
      expect(await page.locator('button[data-hours="168"]').getAttribute('aria-pressed')).toBe('true');
      expect(await page.locator('button[data-hours="24"]').getAttribute('aria-pressed')).toBe('false');
      await expect
        .poll(() => availability.getAttribute('aria-label'), { timeout: UPDATE_WAIT_MS })
        .toContain('last 7 d');
      expect(await availability.locator('rect.breach').count()).toBeGreaterThanOrEqual(1);
      expect(await availability.locator('rect.nodata').count()).toBeGreaterThanOrEqual(1);

      await page.locator('button[data-hours="6"]').click();
      await expect
        .poll(() => availability.getAttribute('aria-label'), { timeout: UPDATE_WAIT_MS })
        .toContain('last 6 h');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('fits a phone (390 px) without horizontal scrolling, in light and dark', async () => {
    problems = [];
    for (const [name, options] of [
      ['phone', PHONE],
      ['phone-dark', { ...PHONE, colorScheme: 'dark' as const }],
    ] as const) {
      const { context, page } = await openPage(options, name);
      try {
        const widths = (await page.evaluate(
          '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
        )) as { scroll: number; client: number };
        expect(widths.client).toBe(390);
        expect(widths.scroll).toBeLessThanOrEqual(widths.client);
        const chart = await page.locator('svg.chart-svg').first().boundingBox();
        expect(chart!.x + chart!.width).toBeLessThanOrEqual(390);
        await screenshot(page, name);
      } finally {
        await context.close();
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows an offline banner while polling fails, a stale one when cycles stop and a failing one when they fail, then recovers', async () => {
    const context = await browser.newContext(DESKTOP);
    const page = await context.newPage(); // not watched: the 500s below are on purpose
    applyScenario(source, serverNow, REPORTS);
    try {
      await page.goto(`${server.url}/?token=${TOKEN}`);
      const banner = page.locator('#banner');
      expect(await banner.isVisible()).toBe(false);

      source.failing = true;
      await banner.waitFor({ state: 'visible', timeout: UPDATE_WAIT_MS });
      expect(await banner.textContent()).toMatch(/^Offline: the monitor answered HTTP 500/);
      expect(await page.locator('body').getAttribute('data-connection')).toBe('offline');
      // The last good data stays on screen.
      expect(await page.locator('section[data-spec="payments"]').getAttribute('data-status')).toBe(
        'unhealthy',
      );

      source.failing = false;
      await banner.waitFor({ state: 'hidden', timeout: UPDATE_WAIT_MS });

      const old = new Date(serverNow.getTime() - 3_600_000);
      source.cycle = { startedAt: old, finishedAt: old, durationMs: 5, slow: false };
      await banner.waitFor({ state: 'visible', timeout: UPDATE_WAIT_MS });
      expect(await banner.textContent()).toMatch(/^Stale: the last check finished 1 h 0 min ago/);
      expect(await page.locator('body').getAttribute('data-connection')).toBe('stale');

      // Cycles that run but cannot be recorded: one is a hiccup, two in a row are a failing monitor.
      const failed = (consecutiveFailures: number) => ({
        startedAt: serverNow,
        finishedAt: serverNow,
        durationMs: 5,
        slow: false,
        consecutiveFailures,
        error: 'database monitor.db is damaged',
      });
      source.cycle = failed(1);
      await banner.waitFor({ state: 'hidden', timeout: UPDATE_WAIT_MS });
      source.cycle = failed(3);
      await banner.waitFor({ state: 'visible', timeout: UPDATE_WAIT_MS });
      expect(await banner.textContent()).toBe(
        'Failing: the last 3 checks could not be recorded (database monitor.db is damaged). No alert can be raised or resolved; the values shown are from the last check that worked.',
      );
      expect(await page.locator('body').getAttribute('data-connection')).toBe('failing');
      source.cycle = failed(0);
      await banner.waitFor({ state: 'hidden', timeout: UPDATE_WAIT_MS });
    } finally {
      source.failing = false;
      applyScenario(source, serverNow, REPORTS);
      await context.close();
    }
  });
});
