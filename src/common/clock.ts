/** Time is passed in, never read deep inside: it makes `--at`, tests and reports simple. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
