import { spawn } from 'node:child_process';
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
