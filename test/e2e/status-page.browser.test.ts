import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusPageScript } from '../../src/server/page-script.js';
import { chromiumSkipReason, launchChromium } from '../support/chromium.js';
import type { RunningPrometheus } from '../support/prometheus.js';
import { freePort, prometheusSkipReason, standardHistory, startPrometheus } from '../support/prometheus.js';
import { type SwitchableProxy, startSwitchableProxy } from './daemon-support.js';
import type { Workspace } from './support.js';
import { makeWorkspace, ERROR_RATE_AND_LATENCY_SPEC as SPEC, startDaemon } from './support.js';

const skip = prometheusSkipReason() ?? chromiumSkipReason();
const history = standardHistory();
const SPEC_ID = 'spec-core-001-authentication';

describe.skipIf(skip !== null)('the status page of a real daemon, in a real headless Chromium', () => {
  let prometheus: RunningPrometheus;
  let backend: SwitchableProxy;
  let ws: Workspace;
  let browser: Browser;
  beforeAll(async () => {
    prometheus = await startPrometheus(history);
    // The test decides what the backend reports: a healthy hour, then the incident, when it is ready.
    backend = await startSwitchableProxy(prometheus.url);
    backend.timeOverride = history.END - 7200;
    ws = await makeWorkspace({
      [`specs/core/${SPEC_ID}/spec.md`]: SPEC,
      [`specs/core/${SPEC_ID}/observability.yaml`]: `provider: prometheus
url: ${backend.url}
metrics:
  - name: api_error_rate
    query: '${history.queries.errorRatio5m}'
  - name: api_latency_p99
    query: '${history.queries.p99Latency5m}'
alerting:
  for: 1
# The replay crosses midnight; a daily report then would take CPU time the test measures in replay minutes.
reports:
  daily: false
  weekly: false
`,
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await backend?.close();
    await prometheus?.stop();
    await ws?.cleanup();
  });

  it('shows the verdicts of a known history and follows a breach as it starts, without a reload', async () => {
    const port = await freePort();
    // Cycles every 2 s of daemon time, 30× faster than real time; the page polls every 2 s (real).
    // What the backend reports is the test's to decide (backend.timeOverride): healthy until the
    // page has been checked, then the incident, however slow the machine.
    const daemon = startDaemon(
      [
        '--spec-id',
        SPEC_ID,
        '--interval',
        '2',
        '--listen',
        `127.0.0.1:${port}`,
        '--replay-from',
        new Date((history.INC0 - 300) * 1000).toISOString(),
        '--replay-speed',
        '30',
      ],
      { cwd: ws.root },
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('requestfailed', (r) => problems.push(`${r.url()} ${r.failure()?.errorText}`));
    try {
      await daemon.waitForLog((l) => l.event === 'started');
      await page.goto(`http://127.0.0.1:${port}/`);
      const spec = page.locator(`section[data-spec="${SPEC_ID}"]`);
      const errorRate = spec.locator('article[data-metric="api_error_rate"]');
      await expect
        .poll(() => spec.locator('.spec-badge').textContent(), { timeout: 15_000 })
        .toMatch(/^\W*Healthy/);
      // The built daemon inlines the script the build compiled from the TypeScript client, the very
      // script the sources compile: one set of esbuild options, and no esbuild needed at run time.
      expect(await page.locator('script[nonce]').textContent()).toBe(statusPageScript());
      expect(await errorRate.locator('.value').textContent()).toBe('2 %');
      expect(await errorRate.locator('.target').textContent()).toContain('5 %');
      await page.locator('svg.chart-svg').first().waitFor();
      const healthyShot = await page.screenshot({
        path: path.join(os.tmpdir(), 'e2e-status-healthy.png'),
        fullPage: true,
      });

      // The incident starts: the page updates itself (no navigation happens).
      let navigations = 0;
      page.on('framenavigated', () => {
        navigations += 1;
      });
      backend.timeOverride = history.INC1;
      await expect
        .poll(() => spec.locator('.spec-badge').textContent(), { timeout: 30_000 })
        .toMatch(/Unhealthy/);
      expect(await errorRate.locator('.badge').textContent()).toContain('Breached');
      await expect.poll(() => spec.locator('li.incident').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(await spec.locator('li.incident').first().textContent()).toContain('api_error_rate');
      expect(navigations).toBe(0);
      const breachShot = await page.screenshot({
        path: path.join(os.tmpdir(), 'e2e-status-breach.png'),
        fullPage: true,
      });
      expect(healthyShot.length).toBeGreaterThan(10_000);
      expect(breachShot.length).toBeGreaterThan(10_000);
      expect(problems).toEqual([]);
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    } finally {
      await page.close();
      daemon.kill('SIGKILL');
    }
  });
});
