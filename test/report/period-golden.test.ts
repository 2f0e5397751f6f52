/**
 * Golden files of the JSON and Markdown renderings of a small deterministic report.
 * After an intended change of the output, regenerate them with
 *   UPDATE_GOLDEN=1 npx vitest run test/report/period-golden.test.ts
 * and review the diff of test/report/golden/ before committing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Root, Table } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { toString as mdText } from 'mdast-util-to-string';
import { gfm } from 'micromark-extension-gfm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PeriodReport } from '../../src/report/period/index.js';
import { chartFileNames, renderPeriodJson, renderPeriodMarkdown } from '../../src/report/period/index.js';
import { buildSampleReport } from './sample-report.js';

const goldenDir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function expectGolden(name: string, actual: string): void {
  const file = join(goldenDir, name);
  if (update) writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden files', () => {
  let report: PeriodReport;
  beforeAll(async () => {
    report = await buildSampleReport();
  });

  it('JSON', () => {
    expectGolden('sample-report.golden.json', renderPeriodJson(report));
  });

  it('Markdown, with chart images', () => {
    expectGolden('sample-report.golden.md', renderPeriodMarkdown(report, chartFileNames(report)));
  });

  it('the Markdown parses as GFM: tables keep their columns, a `|` in a query does not split cells', () => {
    const tree: Root = fromMarkdown(renderPeriodMarkdown(report, chartFileNames(report)), {
      extensions: [gfm()],
      mdastExtensions: [gfmFromMarkdown()],
    });
    const tables = tree.children.filter((node): node is Table => node.type === 'table');
    // summary + per NFR (figures) + episode tables of the three NFRs with breaches
    expect(tables).toHaveLength(1 + 4 + 3);
    const summary = tables[0]!;
    expect(summary.children).toHaveLength(1 + report.metrics.length);
    for (const tableRow of summary.children) expect(tableRow.children).toHaveLength(10);
    expect(summary.children.slice(1).map((r) => mdText(r.children[0]))).toEqual(
      report.metrics.map((m) => m.metric),
    );
    const codeBlocks = tree.children.filter((node) => node.type === 'code').map((node) => node.value);
    expect(codeBlocks).toContain(report.metrics[1]!.query); // contains `5..|429`
  });

  it('long episode lists: Markdown shows the 25 longest in time order and says so; the JSON keeps all', () => {
    const latency = report.metrics[0]!;
    const episodes = Array.from({ length: 30 }, (_, i) => ({
      ...latency.episodes[0]!,
      start: new Date(Date.UTC(2026, 10, 26, 0, i * 40)),
      end: new Date(Date.UTC(2026, 10, 26, 0, i * 40 + 1 + (i % 10))),
      durationSeconds: 60 * (1 + (i % 10)),
    }));
    const many = { ...report, metrics: [{ ...latency, episodes }] };
    const markdown = renderPeriodMarkdown(many);
    const rows = markdown.split('\n').filter((line) => /^\| 2026-11-26T/.test(line));
    expect(rows).toHaveLength(25);
    // the five shortest go: 1 min (i = 0, 10, 20) and the later two of 2 min (i = 11, 21)
    expect(rows.some((line) => line.startsWith('| 2026-11-26T00:00:00Z'))).toBe(false);
    expect(rows).toEqual([...rows].sort());
    expect(markdown).toContain('The 25 longest of 30 episodes; the JSON report lists all.');
    expect(JSON.parse(renderPeriodJson(many)).metrics[0].episodes).toHaveLength(30);
  });

  it('the JSON is stable: same report, same bytes, and it parses', async () => {
    const again = await buildSampleReport();
    expect(renderPeriodJson(again)).toBe(renderPeriodJson(report));
    const parsed = JSON.parse(renderPeriodJson(report)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      workflow: 'smartspec_production_monitor',
      report_type: 'performance',
      schema_version: 1,
      spec_id: 'spec-core-001-authentication',
      period: { kind: 'daily', label: '2026-11-26', time_zone: 'UTC' },
    });
  });
});
