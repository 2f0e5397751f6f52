// Cost of reading pathological and large specs with the built CLI (`nfrs`, which runs both readers: the
// document reader and the monitor's Markdown reader). Writes bench/results/spec-reading.json.
//   npm run build && node bench/spec-reading.mjs
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist/cli/main.js');
const preload = path.join(root, 'bench/max-rss.mjs');
const head =
  '## Non-Functional Requirements\n\n| Metric | Target |\n|---|---|\n| p99 latency | < 200ms |\n\n';
const prose = 'Some prose line about the service and its users.\n';
const dense = Array.from(
  { length: 12_000 },
  (_, i) =>
    `- Endpoint ${i}: p95 < ${100 + (i % 50)} ms and p99 < ${300 + (i % 70)} ms, at least 99.9% availability, 200 RPS\n`,
).join('');
const cases = {
  'nested-quotes-100KB': `${head}${prose.repeat(1000)}${'>'.repeat(50_000)}\n`,
  'dense-targets-950KB': `${head}${dense}`.slice(0, 950_000),
  'prose-50MB (refused)': head + prose.repeat(Math.floor(50_000_000 / prose.length)),
};
const work = mkdtempSync(path.join(os.tmpdir(), 'spec-reading-'));
const results = [];
try {
  let n = 0;
  for (const [name, markdown] of Object.entries(cases)) {
    const id = `spec-bench-${String(++n).padStart(3, '0')}`;
    mkdirSync(path.join(work, 'specs/bench', id), { recursive: true });
    writeFileSync(path.join(work, 'specs/bench', id, 'spec.md'), markdown);
    const started = process.hrtime.bigint();
    const run = spawnSync(
      process.execPath,
      ['--import', preload, cli, 'nfrs', id, '--json', '--root', work],
      {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
      },
    );
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const rss = /BENCH_MAX_RSS_KB (\d+)/.exec(run.stderr)?.[1];
    const targets = run.status === 0 ? JSON.parse(run.stdout).targets.length : null;
    results.push({
      case: name,
      bytes: Buffer.byteLength(markdown),
      exit: run.status,
      wall_ms: Math.round(wallMs),
      max_rss_mb: rss ? Math.round(Number(rss) / 1024) : null,
      targets,
    });
    console.log(results[results.length - 1]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(
  path.join(root, 'bench/results/spec-reading.json'),
  `${JSON.stringify({ benchmark: 'spec-reading', measured_at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, command: 'npm run build && node bench/spec-reading.mjs', results }, null, 2)}\n`,
);
