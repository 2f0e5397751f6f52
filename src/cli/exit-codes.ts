import type { OverallStatus } from '../evaluate/types.js';

/** The contract with deployment pipelines (docs/cli.md#exit-codes). */
export const EXIT = {
  healthy: 0,
  unhealthy: 1,
  usage: 2,
  degraded: 3,
  internal: 70,
  /** Ctrl-C (SIGINT) during a run: 128 + 2, as a shell reports a process killed by SIGINT. */
  interrupted: 130,
} as const;

export function exitCodeFor(status: OverallStatus): number {
  return status === 'healthy' ? EXIT.healthy : status === 'unhealthy' ? EXIT.unhealthy : EXIT.degraded;
}
