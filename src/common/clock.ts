/** Time is passed in, never read deep inside: it makes `--at`, replays, tests and reports simple. */
export interface Clock {
  now(): Date;
  /** Resolves at `until` on this clock (at once when it has passed), or early when `signal` aborts. */
  sleepUntil(until: Date, signal?: AbortSignal): Promise<void>;
}

function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleepUntil: (until, signal) => sleepMs(until.getTime() - Date.now(), signal),
};

/**
 * The daemon's replay clock (dry runs of alert policies over past data, and the tests): it starts at
 * `start`, and moves only when the daemon sleeps, to exactly the instant it slept until, after
 * 1/`speed` of the real wait. Work between two sleeps takes no time on it, so a loaded machine replays
 * the same instants as an idle one, only more slowly.
 */
export function replayClock(start: Date, speed: number): Clock {
  let virtual = start.getTime();
  return {
    now: () => new Date(virtual),
    sleepUntil: async (until, signal) => {
      await sleepMs((until.getTime() - virtual) / speed, signal);
      // Several sleepers (cycles, deliveries) may wake in any order: time never goes back.
      if (!signal?.aborted) virtual = Math.max(virtual, until.getTime());
    },
  };
}
