/**
 * parseNfrs on one NFR table of 250 … 8,000 rows (the table bench/cycle-10k.ts generates), with the
 * whole document through micromark (readMarkdownWhole, the reading before table rows were read line by
 * line) and with readMarkdown. Each measurement runs in a fresh process of its own, both readers
 * interleaved, BENCH_RUNS times (medians), so that the ratio of the two compares like with like on a
 * noisy machine. Writes bench/results/spec-tables.json.
 *   node --import tsx bench/spec-tables.ts
 * BENCH_RUNS (default 3), BENCH_ROWS (comma-separated, default 250,500,1000,2000,4000,8000).
 */
import { fileURLToPath } from 'node:url';
import { readMarkdown, readMarkdownWhole } from '../src/spec/markdown.js';
import { parseNfrsWith } from '../src/spec/parse.js';
import { median, peak, round, runPhase, writeResult } from './support.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const ROWS = (process.env.BENCH_ROWS ?? '250,500,1000,2000,4000,8000').split(',').map(Number);
const SCRIPT = fileURLToPath(import.meta.url);
const READERS = { whole: readMarkdownWhole, 'line-wise': readMarkdown } as const;
type ReaderName = keyof typeof READERS;

function spec(rows: number): string {
  const lines = Array.from(
    { length: rows },
    (_, i) => `| Performance | Latency ${i} | \`m_${i}\` | < 500ms |`,
  );
  return `# Cycle\n\n## Non-Functional Requirements\n\n| Category | Requirement | Metric | Target |\n|---|---|---|---|\n${lines.join('\n')}\n`;
}

/** One reading in this process: prints its time, CPU time and peak RSS as JSON. */
function measure(reader: ReaderName, rows: number): void {
  const markdown = spec(rows);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = parseNfrsWith(markdown, READERS[reader]);
  const wall_ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  if (result.nfrs.length !== rows) throw new Error(`read ${result.nfrs.length} NFRs of ${rows}`);
  console.log(
    JSON.stringify({ wall_ms: round(wall_ms), cpu_ms: round((used.user + used.system) / 1000), ...peak() }),
  );
}

const phaseIndex = process.argv.indexOf('--phase');
if (phaseIndex >= 0) {
  measure(process.argv[phaseIndex + 1] as ReaderName, Number(process.argv[phaseIndex + 2]));
} else {
  const results = [];
  for (const rows of ROWS) {
    const runs: Record<ReaderName, Array<{ wall_ms: number; cpu_ms: number; peak_rss_mb: number }>> = {
      whole: [],
      'line-wise': [],
    };
    for (let run = 0; run < RUNS; run++) {
      for (const reader of Object.keys(READERS) as ReaderName[]) {
        runs[reader].push(runPhase(SCRIPT, reader, [String(rows)]));
      }
    }
    const summary = (reader: ReaderName) => ({
      wall_ms: round(median(runs[reader].map((r) => r.wall_ms))),
      cpu_ms: round(median(runs[reader].map((r) => r.cpu_ms))),
      peak_rss_mb: round(median(runs[reader].map((r) => r.peak_rss_mb))),
    });
    const whole = summary('whole');
    const lineWise = summary('line-wise');
    const row = {
      rows,
      whole,
      line_wise: lineWise,
      speed_up: round(whole.wall_ms / lineWise.wall_ms),
      whole_us_per_row: round((whole.wall_ms * 1000) / rows),
      line_wise_us_per_row: round((lineWise.wall_ms * 1000) / rows),
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  const file = await writeResult('spec-tables', {
    command: 'node --import tsx bench/spec-tables.ts',
    runs: RUNS,
    results,
  });
  console.log(`wrote ${file}`);
}
