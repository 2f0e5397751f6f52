import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HEAP_MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/common/heap.ts');

/**
 * In a process of its own (V8 flags are process-wide): ~20 MB kept alive, and batches of short-lived
 * objects allocated and dropped again and again, as cycles do; then the young generation's size.
 */
const CHILD = `
import v8 from 'node:v8';
const { keepHeapSmall } = await import(process.argv[1]);
const applied = keepHeapSmall(JSON.parse(process.argv[2]), process.argv[3]);
const alive = Array.from({ length: 200_000 }, (_, i) => ({ i, text: 'kept ' + i }));
let batch = [];
for (let i = 0; i < 3_000_000; i++) { batch.push({ i, text: 'cycle ' + i }); if (batch.length >= 50_000) batch = []; }
const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
console.log(JSON.stringify({ applied, youngMb: young / 1048576, alive: alive.length }));
`;

function run(execArgv: string[], nodeOptions: string): { applied: string[]; youngMb: number } {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      CHILD,
      HEAP_MODULE,
      JSON.stringify(execArgv),
      nodeOptions,
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('the daemon keeps its heap small', () => {
  it('keeps the young generation at its starting size however much survives a collection', () => {
    const kept = run([], '');
    expect(kept.applied).toEqual(['--semi-space-growth-factor=1', '--heap-growing-percent=20']);
    // V8's default lets it grow to 32 MB under this load.
    expect(kept.youngMb).toBeLessThanOrEqual(8);
  });

  it("leaves a setting the process was started with to the user's value", () => {
    expect(run(['--max-old-space-size=200', '--heap_growing_percent=50'], '').applied).toEqual([
      '--semi-space-growth-factor=1',
    ]);
    const own = run([], '--semi-space-growth-factor 2 --heap-growing-percent=30');
    expect(own.applied).toEqual([]);
    expect(own.youngMb).toBeGreaterThan(8);
  });
});

/** A hot function's optimization status after skipOptimizingCompiler and restoreOptimizingCompiler. */
const OPT_CHILD = `
const heap = await import(process.argv[1]);
const skipped = heap.skipOptimizingCompiler(JSON.parse(process.argv[2]), '');
function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }
const turbofanned = () => (%GetOptimizationStatus(hot) & (1 << 6)) !== 0;
for (let i = 0; i < 20000; i++) hot(200);
const before = turbofanned();
heap.restoreOptimizingCompiler();
for (let i = 0; i < 200000 && !turbofanned(); i++) hot(200);
console.log(JSON.stringify({ skipped, before, after: turbofanned() }));
`;

function runOpt(execArgv: string[]): { skipped: boolean; before: boolean; after: boolean } {
  const out = execFileSync(
    process.execPath,
    [
      '--allow-natives-syntax',
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      OPT_CHILD,
      HEAP_MODULE,
      JSON.stringify(execArgv),
    ],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('skipOptimizingCompiler', () => {
  it('keeps hot code unoptimized until restoreOptimizingCompiler, which lets it be optimized', () => {
    expect(runOpt([])).toEqual({ skipped: true, before: false, after: true });
  });

  it('leaves the choice of a process started with --opt or --no-opt alone', () => {
    expect(runOpt(['--opt']).skipped).toBe(false);
    expect(runOpt(['--no-turbofan']).skipped).toBe(false);
  });
});
