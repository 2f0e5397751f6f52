import type { OverallStatus } from '../evaluate/types.js';

/** The contract with deployment pipelines (docs/exit-codes.md). */
export const EXIT = {
  healthy: 0,
  unhealthy: 1,
  usage: 2,
  degraded: 3,
  internal: 70,
} as const;

export function exitCodeFor(status: OverallStatus): number {
  return status === 'healthy' ? EXIT.healthy : status === 'unhealthy' ? EXIT.unhealthy : EXIT.degraded;
}
