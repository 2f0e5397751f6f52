import type { Receiver } from '../alerting/index.js';
import { deliverDue } from '../alerting/index.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from './logger.js';
import type { DaemonMetrics } from './metrics.js';
import type { DaemonShared } from './shared.js';

const DELIVERY_POLL_MS = 1000;

/**
 * Sends what the outbox holds, once a second and after every cycle; one pass at a time. Each pass
 * first checks that the database is still there, so a deleted database is noticed within a second.
 */
export class DeliveryLoop {
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly shared: DaemonShared,
    private readonly parts: {
      clock: Clock;
      log: Logger;
      metrics: DaemonMetrics;
      /** False once the database file was deleted or replaced (the daemon then stops). */
      databaseIsThere: () => boolean;
      /** Aborted when the database is lost: no further sends (a second daemon may own the workspace now). */
      lost: AbortSignal;
    },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.deliver(), DELIVERY_POLL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The pass in flight, if any (the shutdown waits for it). */
  get pending(): Promise<void> | null {
    return this.inFlight;
  }

  /** One delivery pass at a time; further calls while one runs share it. */
  deliver(): Promise<void> {
    if (!this.inFlight) {
      const pass = this.pass();
      this.inFlight = pass;
      void pass.finally(() => {
        if (this.inFlight === pass) this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async pass(): Promise<void> {
    const { metrics, log } = this.parts;
    try {
      if (!this.parts.databaseIsThere() || this.shared.store.depth() === 0) return;
      const receivers = new Map<string, Receiver>();
      for (const r of this.shared.runtimes)
        for (const receiver of r.receivers) receivers.set(receiver.name, receiver);
      const counts = await deliverDue(this.shared.store, receivers, () => this.parts.clock.now(), {
        signal: this.parts.lost,
      });
      if (counts.delivered) metrics.notifications.inc({ result: 'delivered' }, counts.delivered);
      if (counts.failed) metrics.notifications.inc({ result: 'failed' }, counts.failed);
      if (counts.dead) metrics.notifications.inc({ result: 'dead' }, counts.dead);
      if (counts.superseded) {
        metrics.notifications.inc({ result: 'superseded' }, counts.superseded);
      }
      if (counts.failed || counts.dead) {
        log.warn(
          { event: 'delivery_failed', failed: counts.failed, dead: counts.dead },
          'some notifications could not be delivered; they are retried with backoff',
        );
      }
      metrics.outboxDepth.set(this.shared.store.depth());
      this.lastError = null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Once per distinct error: a failing database would otherwise log it every second.
      if (message !== this.lastError) log.error({ event: 'delivery_error' }, message);
      this.lastError = message;
    }
  }
}
