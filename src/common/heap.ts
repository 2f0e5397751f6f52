import v8 from 'node:v8';

/**
 * V8 sizes its heap for throughput: the young generation grows to 32 MB as soon as a burst of
 * allocations survives, and the old one is let grow to about twice what is alive before it is
 * collected. A daemon that allocates the same short-lived objects every cycle, for days, pays for
 * both in resident memory (a 1,000-NFR daemon: ~250 MB resident for ~30 MB alive) and gains
 * little. These two keep the young generation at its starting size and collect the old one when it
 * has grown by a fifth: the same daemon stays near 130 MB for a few percent more CPU, and a
 * run-once ~5 MB lower for no more CPU.
 *
 * Both are read by V8 each time it sizes the heap, so setting them at run time takes effect; the
 * CLI sets them itself before a run or the daemon loads (users need no flag or environment
 * variable), unless the process was started with its own value of either, which then wins.
 */
export const HEAP_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--heap-growing-percent=20'];

/** Applies HEAP_FLAGS but those the process was given a value of; returns the ones applied. */
export function keepHeapSmall(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  // V8 reads `_` and `-` alike in flag names.
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) => arg.replaceAll('_', '-'));
  const applied: string[] = [];
  for (const flag of HEAP_FLAGS) {
    const name = flag.slice(0, flag.indexOf('='));
    if (given.some((arg) => arg === name || arg.startsWith(`${name}=`))) continue;
    v8.setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}

/**
 * No optimizing compiler (V8 still compiles to baseline code). Its compile jobs and the machine code
 * they make cost ~4.5 MB of a run-once's ~61 MB peak, finishing too late to pay back, and ~17 MB of a
 * 1,000-NFR daemon's ~110 MB (which then uses about half again as much CPU: 0.55 instead of 0.36 of
 * a core at 1,000 queries a second). Not when the process was started with its own choice.
 */
export function skipOptimizingCompiler(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  if (given.some((arg) => /^--(no-)?(opt|turbofan)$/.test(arg))) return false;
  v8.setFlagsFromString('--no-opt');
  optimizingSkipped = true;
  return true;
}

let optimizingSkipped = false;

/** A run that turned out long (thousands of NFRs) gets the optimizing compiler back. */
export function restoreOptimizingCompiler(): void {
  if (!optimizingSkipped) return;
  v8.setFlagsFromString('--opt');
  optimizingSkipped = false;
}
