import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(PROJECT_ROOT, 'dist/cli/main.js');
const MAX_RSS_PRELOAD = path.join(PROJECT_ROOT, 'bench/max-rss.mjs');

export interface Measured {
  wallMs: number;
  maxRssKb: number;
  code: number | null;
}

/** Runs `node <args>` once and measures wall time and peak RSS of that process. */
export function measureNode(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', MAX_RSS_PRELOAD, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const match = /BENCH_MAX_RSS_KB (\d+)/.exec(stderr);
      resolve({ wallMs, maxRssKb: match ? Number(match[1]) : Number.NaN, code });
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function writeResult(name: string, result: Record<string, unknown>): Promise<string> {
  const dir = path.join(PROJECT_ROOT, 'bench/results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  const record = {
    benchmark: name,
    measured_at: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    ...result,
  };
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
  return file;
}

/** Rounds to three decimals, the precision results files keep. */
export function round(value: number): number {
  return Number(value.toFixed(3));
}

export function mb(bytes: number): number {
  return round(bytes / 1_048_576);
}

/** Peak resident set size of this process so far (resourceUsage reports KiB). */
export function peak(): { peak_rss_mb: number } {
  return { peak_rss_mb: round(process.resourceUsage().maxRSS / 1024) };
}

/**
 * Runs one phase of a benchmark script in a child process of its own (so that its peak RSS is its
 * own): `script --phase <phase> ...args`; the child prints its figures as the last line of JSON.
 */
export function runPhase<T = Record<string, number>>(script: string, phase: string, args: string[]): T {
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--phase', phase, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`phase ${phase} failed with status ${child.status}`);
  const last = child.stdout.trim().split('\n').at(-1) ?? '{}';
  return JSON.parse(last) as T;
}
