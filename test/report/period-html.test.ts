/**
 * The HTML report in a real headless Chromium: it opens from a file with no network, shows a chart
 * per NFR with its target line, logs no error, and fits a phone's width. Screenshots are saved to
 * the temp folder (period-report.png: desktop, period-report-phone.png: phone) for people to look at.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeriodReport } from '../../src/report/period/index.js';
import { renderPeriodHtml } from '../../src/report/period/index.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import { buildSampleReport } from './sample-report.js';
import { tempDirs } from './support.js';

const skip = chromiumSkipReason();
if (skip) console.warn(`test/report/period-html.test.ts skipped: ${skip}`);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('HTML report', () => {
  let report: PeriodReport;
  let html: string;
  beforeAll(async () => {
    report = await buildSampleReport();
    html = await renderPeriodHtml(report);
  });

  it('is one self-contained file: no script, no external resource', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<svg\b/g)).toHaveLength(report.metrics.length);
  });

  it('escapes text from the spec and the config', async () => {
    const hostile = {
      ...report,
      metrics: [{ ...report.metrics[0]!, requirement: '<img src=x onerror=alert(1)>', query: 'a < b & "c"' }],
    };
    const page = await renderPeriodHtml(hostile);
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('a &lt; b &amp; &quot;c&quot;');
  });

  it('is deterministic', async () => {
    expect(await renderPeriodHtml(await buildSampleReport())).toBe(html);
  });
});

describe.skipIf(skip !== null)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let file: string;
  const temp = tempDirs();

  beforeAll(async () => {
    browser = await launchChromium();
    file = join(temp.make(), '2026-11-26.html');
    writeFileSync(file, await renderPeriodHtml(await buildSampleReport()));
  });

  afterAll(async () => {
    await browser?.close();
    temp.cleanup();
  });

  async function open(viewport: { width: number; height: number }) {
    const page = await browser.newPage({ viewport });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  it('shows a visible chart per NFR with its target line, without errors or requests', async () => {
    const { page, problems, requests } = await open({ width: 1280, height: 900 });
    try {
      const charts = await page.$$eval('figure.chart svg', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const target = svg.querySelector('path[stroke="#dc2626"]');
          const targetBox = target?.getBoundingClientRect();
          return {
            width: box.width,
            height: box.height,
            text: svg.textContent ?? '',
            targetWidth: targetBox?.width ?? 0,
          };
        }),
      );
      expect(charts).toHaveLength(4);
      for (const chart of charts) {
        expect(chart.width).toBeGreaterThan(500);
        expect(chart.height).toBeGreaterThan(150);
        expect(chart.text).toMatch(/target [<>≤≥] /);
        expect(chart.targetWidth).toBeGreaterThan(300); // the dashed target line spans the plot
      }
      expect(charts[0]!.text).toContain('target < 200 ms');
      expect(await page.title()).toBe('Performance report: spec-core-001-authentication — daily 2026-11-26');
      expect(await page.locator('.trends li').allTextContents()).toEqual([
        'p99 Latency (api_latency_p99) for spec-core-001-authentication has increased by 21% over the last day',
      ]);
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);

      const screenshot = await page.screenshot({ fullPage: true });
      writeFileSync(join(tmpdir(), 'period-report.png'), screenshot);
      expect(screenshot.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(screenshot.readUInt32BE(16)).toBe(1280);
      expect(screenshot.readUInt32BE(20)).toBeGreaterThan(1500); // four chart sections
      expect(screenshot.length).toBeGreaterThan(100_000);
    } finally {
      await page.close();
    }
  });

  it('fits a phone screen: no sideways page scroll, charts scaled to the width', async () => {
    const { page, problems } = await open({ width: 390, height: 844 });
    try {
      const scrollWidth = await page.$eval('html', (root) => root.scrollWidth);
      const chartWidths = await page.$$eval('figure.chart svg', (svgs) =>
        svgs.map((svg) => svg.getBoundingClientRect().width),
      );
      expect(scrollWidth).toBeLessThanOrEqual(390);
      expect(chartWidths).toHaveLength(4);
      for (const width of chartWidths) {
        expect(width).toBeGreaterThan(300);
        expect(width).toBeLessThanOrEqual(390);
      }
      expect(problems).toEqual([]);
      const screenshot = await page.screenshot({ fullPage: true });
      writeFileSync(join(tmpdir(), 'period-report-phone.png'), screenshot);
      expect(screenshot.readUInt32BE(16)).toBe(390);
    } finally {
      await page.close();
    }
  });
});
