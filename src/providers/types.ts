import type { ProviderConfig } from '../config/types.js';

/** Why a backend gave no usable number. Every failure makes the metric unknown, never healthy. */
export type QueryFailure =
  | 'no_data'
  | 'multiple_series'
  | 'query_error'
  | 'unreachable'
  | 'timeout'
  | 'auth'
  | 'rate_limited'
  | 'bad_response';

export interface Sample {
  at: Date;
  /** May be NaN or +/-Infinity as the backend reported it. */
  value: number;
}

export type InstantResult =
  | { ok: true; value: number; at: Date; warnings: string[] }
  | { ok: false; failure: QueryFailure; message: string; warnings: string[] };

export type RangeResult =
  | { ok: true; samples: Sample[]; warnings: string[] }
  | { ok: false; failure: QueryFailure; message: string; warnings: string[] };

export interface QueryOptions {
  signal?: AbortSignal;
  /** Per-metric overrides where the backend reduces point lists (Datadog). */
  reduce?: 'last' | 'avg' | 'min' | 'max';
  lookbackSeconds?: number;
}

/** One configured backend. Implementations never throw for backend problems: they return failures. */
export interface Provider {
  readonly name: string;
  readonly type: ProviderConfig['type'];
  /** Host the provider talks to, for the network policy. */
  readonly host: string;
  queryInstant(query: string, at: Date, options?: QueryOptions): Promise<InstantResult>;
  queryRange(
    query: string,
    start: Date,
    end: Date,
    stepSeconds: number,
    options?: QueryOptions,
  ): Promise<RangeResult>;
}
