import type { AlertState } from '../alerting/index.js';
import type { Store } from '../store/index.js';
import type { SpecRuntime } from './targets.js';

/**
 * What the daemon's parts share: the monitored specs (replaced on reload), the database (opened at
 * start) and the alert state machines (loaded at start, advanced by each cycle). The coordinator
 * (daemon.ts) owns it; the parts read it at the moment they need it, so a reload reaches them all.
 */
export class DaemonShared {
  runtimes: readonly SpecRuntime[] = [];
  /** Keyed by `alertKey(spec, metric, kind)`. */
  readonly alertStates = new Map<string, AlertState>();
  private openedStore: Store | null = null;

  get store(): Store {
    if (!this.openedStore) throw new Error('the database is not open yet');
    return this.openedStore;
  }

  set store(store: Store) {
    this.openedStore = store;
  }

  get hasStore(): boolean {
    return this.openedStore !== null;
  }

  /** The workspace root (the same for every spec). */
  get root(): string {
    return this.runtimes[0]?.prepared.root ?? '';
  }
}
