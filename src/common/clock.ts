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
 * A clock that starts at `start` and runs `speed` times faster than real time: the daemon's replay
 * mode evaluates past data as if it were live (dry runs of alert policies, and the tests).
 */
export function replayClock(start: Date, speed: number): Clock {
  const realStart = Date.now();
  const toVirtual = (real: number) => start.getTime() + (real - realStart) * speed;
  return {
    now: () => new Date(toVirtual(Date.now())),
    sleepUntil: (until, signal) => sleepMs((until.getTime() - toVirtual(Date.now())) / speed, signal),
  };
}
