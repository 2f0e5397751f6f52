import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HEAP_MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/daemon/heap.ts');

/**
 * In a process of its own (V8 flags are process-wide): ~20 MB kept alive, and batches of short-lived
 * objects allocated and dropped again and again, as cycles do; then the young generation's size.
 */
const CHILD = `
import v8 from 'node:v8';
const { keepDaemonHeapSmall } = await import(process.argv[1]);
const applied = keepDaemonHeapSmall(JSON.parse(process.argv[2]), process.argv[3]);
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
