/**
 * One cycle of 10,000 NFRs against the cost of the queries themselves. A fake Prometheus on loopback
 * (node:http in a child process of its own, a fixed delay per answer) answers every
 * /api/v1/query with a one-series vector; a spec and an observability.yaml of 10,000 NFRs are
 * generated in a temp dir. Measured in fresh processes, interleaved, BENCH_RUNS times (medians):
 *
 * - baseline: raw concurrent `fetch` of the same 10,000 query URLs with the tool's concurrency limit
 *   (8), each answer read as JSON, twice in one process (cold, then warm); and once with node:http
 *   and a keep-alive agent of 8 sockets;
 * - pipeline: `runCheck` in-process (queries, parsing, judging: the daemon's cycle), twice (cold as
 *   in run-once, then warm as the daemon's cycles are), after `prepareCheck` (spec + config of
 *   10,000 NFRs, timed on its own);
 * - run-once: the built CLI, the whole process (start, spec and config, the cycle, summary.json and
 *   report.md), against a node process that only does the raw fetches.
 *
 * BENCH_CYCLE_NFRS (default 10000), BENCH_RUNS (default 5), BENCH_LATENCY_MS (default 1).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, measureNode, median, round, runPhase, writeResult } from './support.js';

const NFRS = Number(process.env.BENCH_CYCLE_NFRS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 1);
/** runCheck's default limit: the baseline sends with the same concurrency. */
const CONCURRENCY = 8;
const SPEC_ID = 'spec-perf-002-cycle';
/** A fixed evaluation instant, so every answer and verdict is the same from run to run. */
const AT_SECONDS = 1_767_225_600;
const SCRIPT = fileURLToPath(import.meta.url);

/** The fake backend: every instant query gets one series after LATENCY_MS; it prints its port. */
const FAKE_PROMETHEUS = `
const http = require('node:http');
const latency = Number(process.argv[1]);
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname !== '/api/v1/query') { res.statusCode = 404; res.end(); return; }
  const body = JSON.stringify({ status: 'success', data: { resultType: 'vector',
    result: [{ metric: {}, value: [Number(url.searchParams.get('time')), '0.1'] }] } });
  setTimeout(() => { res.setHeader('content-type', 'application/json'); res.end(body); }, latency);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/**
 * The raw baseline: the same query URLs with `fetch`, CONCURRENCY in flight, each answer read as
 * JSON; prints the time from the first request to the last answer, of a first pass and (without
 * --once) of a second one. Plain JavaScript, so that as a whole process it starts as fast as node can.
 */
const RAW_FETCH = `
const [base, nfrs, at, concurrency] = process.argv.slice(1);
const urls = Array.from({ length: Number(nfrs) }, (_, i) => base + '/api/v1/query?' +
  new URLSearchParams({ query: 'up{job="svc",instance="i' + i + '"}', time: at }));
async function pass() {
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const answer = await (await fetch(urls[next++], { headers: { accept: 'application/json' } })).json();
      if (answer.status !== 'success') throw new Error('bad answer');
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  return Number(process.hrtime.bigint() - started) / 1e6;
}
pass().then(async (cycle_ms) => {
  if (process.argv.includes('--once')) return console.log(JSON.stringify({ cycle_ms }));
  console.log(JSON.stringify({ cycle_ms, warm_ms: await pass() }));
});
`;

function rawFetchArgs(url: string, once: boolean): string[] {
  return [
    '-e',
    RAW_FETCH,
    url,
    String(NFRS),
    String(AT_SECONDS),
    String(CONCURRENCY),
    ...(once ? ['--once'] : []),
  ];
}

/** Runs the raw fetch baseline in a fresh process: the first pass (cold) and a second one (warm). */
function rawFetch(url: string): { cycle_ms: number; warm_ms: number } {
  const child = spawnSync(process.execPath, rawFetchArgs(url, false), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`the raw fetch exited ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { cycle_ms: number; warm_ms: number };
}

function queryOf(i: number): string {
  return `up{job="svc",instance="i${i}"}`;
}

function queryUrls(base: string): string[] {
  return Array.from(
    { length: NFRS },
    (_, i) => `${base}/api/v1/query?${new URLSearchParams({ query: queryOf(i), time: String(AT_SECONDS) })}`,
  );
}

/** Runs `work` over every item with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function phase(name: string, args: string[]): Promise<void> {
  const flag = (key: string) => args[args.indexOf(key) + 1]!;
  if (name === 'http') {
    const urls = queryUrls(flag('--url'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const started = process.hrtime.bigint();
    await pool(
      urls,
      CONCURRENCY,
      (url) =>
        new Promise<void>((resolve, reject) => {
          http
            .get(url, { agent, headers: { accept: 'application/json' } }, (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { status: string };
                if (answer.status !== 'success') reject(new Error('bad answer'));
                else resolve();
              });
            })
            .on('error', reject);
        }),
    );
    agent.destroy();
    console.log(JSON.stringify({ cycle_ms: elapsedMs(started) }));
  } else if (name === 'pipeline') {
    const { prepareCheck, runCheck } = await import('../src/pipeline/index.js');
    let started = process.hrtime.bigint();
    const prepared = await prepareCheck({
      root: flag('--root'),
      specId: SPEC_ID,
      allowNetwork: false,
      env: {},
      userAgent: 'bench',
    });
    const prepareMs = elapsedMs(started);
    // The first cycle (cold, as in run-once) and the next one (warm, as the daemon's cycles are).
    const cycles: number[] = [];
    for (let i = 0; i < 2; i++) {
      started = process.hrtime.bigint();
      const evaluation = await runCheck(prepared, new Date(AT_SECONDS * 1000));
      cycles.push(elapsedMs(started));
      const healthy = evaluation.verdicts.filter((v) => v.status === 'healthy').length;
      if (healthy !== NFRS) throw new Error(`${healthy} of ${NFRS} verdicts healthy`);
    }
    console.log(JSON.stringify({ prepare_ms: prepareMs, cycle_ms: cycles[0], warm_ms: cycles[1] }));
  } else {
    throw new Error(`unknown phase ${name}`);
  }
}

async function startFakePrometheus(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', FAKE_PROMETHEUS, String(LATENCY_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the fake Prometheus exited ${code}`)));
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

async function writeWorkspace(root: string, url: string): Promise<void> {
  const specDir = path.join(root, 'specs/perf', SPEC_ID);
  await mkdir(specDir, { recursive: true });
  const rows = Array.from(
    { length: NFRS },
    (_, i) => `| Performance | Latency ${i} | \`m_${i}\` | < 500ms |`,
  );
  await writeFile(
    path.join(specDir, 'spec.md'),
    `# Cycle\n\n## Non-Functional Requirements\n\n| Category | Requirement | Metric | Target |\n|---|---|---|---|\n${rows.join('\n')}\n`,
  );
  const metrics = Array.from({ length: NFRS }, (_, i) => `- {name: m_${i}, query: '${queryOf(i)}', unit: s}`);
  await writeFile(
    path.join(specDir, 'observability.yaml'),
    `provider: prometheus\nurl: ${url}\nmetrics:\n${metrics.join('\n')}\n`,
  );
}

async function main(): Promise<void> {
  const fake = await startFakePrometheus();
  const root = await mkdtemp(path.join(os.tmpdir(), 'smartspec-pm-cycle-'));
  const phaseArgs = ['--url', fake.url, '--root', root];
  try {
    await writeWorkspace(root, fake.url);
    const fetchMs: number[] = [];
    const fetchWarmMs: number[] = [];
    const httpMs: number[] = [];
    const prepareMs: number[] = [];
    const pipelineMs: number[] = [];
    const pipelineWarmMs: number[] = [];
    const runOnceMs: number[] = [];
    const fetchProcessMs: number[] = [];
    // Interleaved so that noise from other work on the machine hits every side alike.
    for (let i = 0; i < RUNS; i++) {
      const raw = rawFetch(fake.url);
      fetchMs.push(raw.cycle_ms);
      fetchWarmMs.push(raw.warm_ms);
      httpMs.push(runPhase(SCRIPT, 'http', phaseArgs).cycle_ms!);
      const pipeline = runPhase(SCRIPT, 'pipeline', phaseArgs);
      prepareMs.push(pipeline.prepare_ms!);
      pipelineMs.push(pipeline.cycle_ms!);
      pipelineWarmMs.push(pipeline.warm_ms!);
      const run = await measureNode([CLI, SPEC_ID, '--at', String(AT_SECONDS), '--quiet'], { cwd: root });
      if (run.code !== 0) throw new Error(`run-once exited ${run.code}`);
      runOnceMs.push(run.wallMs);
      // The same raw fetches as a whole process (start included), for the run-once comparison.
      const rawProcess = await measureNode(rawFetchArgs(fake.url, true), { cwd: root });
      if (rawProcess.code !== 0) throw new Error(`the raw fetch process exited ${rawProcess.code}`);
      fetchProcessMs.push(rawProcess.wallMs);
      process.stderr.write(
        `run ${i + 1}/${RUNS}: fetch ${fetchMs.at(-1)!.toFixed(0)} ms (warm ${fetchWarmMs.at(-1)!.toFixed(0)}), ` +
          `http ${httpMs.at(-1)!.toFixed(0)} ms, pipeline ${pipelineMs.at(-1)!.toFixed(0)} ms ` +
          `(warm ${pipelineWarmMs.at(-1)!.toFixed(0)}, prepare ${prepareMs.at(-1)!.toFixed(0)} ms), ` +
          `run-once ${runOnceMs.at(-1)!.toFixed(0)} ms vs fetch process ${fetchProcessMs.at(-1)!.toFixed(0)} ms\n`,
      );
    }
    const file = await writeResult('cycle-10k', {
      nfrs: NFRS,
      runs: RUNS,
      concurrency: CONCURRENCY,
      backend_latency_ms: LATENCY_MS,
      baseline_fetch_ms: round(median(fetchMs)),
      baseline_http_ms: round(median(httpMs)),
      pipeline_cycle_ms: round(median(pipelineMs)),
      pipeline_prepare_ms: round(median(prepareMs)),
      cycle_vs_fetch: round(median(pipelineMs) / median(fetchMs)),
      cycle_vs_http: round(median(pipelineMs) / median(httpMs)),
      // The second cycle of a process against the second pass of raw fetches: the daemon's case.
      baseline_fetch_warm_ms: round(median(fetchWarmMs)),
      pipeline_cycle_warm_ms: round(median(pipelineWarmMs)),
      warm_cycle_vs_fetch: round(median(pipelineWarmMs) / median(fetchWarmMs)),
      run_once_ms: round(median(runOnceMs)),
      fetch_process_ms: round(median(fetchProcessMs)),
      run_once_vs_fetch_process: round(median(runOnceMs) / median(fetchProcessMs)),
      runs_ms: {
        baseline_fetch: fetchMs.map(round),
        baseline_fetch_warm: fetchWarmMs.map(round),
        baseline_http: httpMs.map(round),
        pipeline_cycle: pipelineMs.map(round),
        pipeline_cycle_warm: pipelineWarmMs.map(round),
        pipeline_prepare: prepareMs.map(round),
        run_once: runOnceMs.map(round),
        fetch_process: fetchProcessMs.map(round),
      },
    });
    console.log(`cycle of ${NFRS} NFRs → ${path.relative(process.cwd(), file)}`);
  } finally {
    fake.stop();
    await rm(root, { recursive: true, force: true });
  }
}

const phaseIndex = process.argv.indexOf('--phase');
if (phaseIndex >= 0) await phase(process.argv[phaseIndex + 1]!, process.argv.slice(phaseIndex + 2));
else await main();
