/**
 * Objectives of every planned metric, measured against the backend (docs/slo.md#measured-objectives).
 * Shares the query concurrency limit of `runCheck`; each request keeps its provider's timeout.
 */
import pLimit, { type LimitFunction } from 'p-limit';
import type { ObservabilityConfig } from '../config/types.js';
import type { Check } from '../evaluate/plan.js';
import type { InstantResult, Provider, QueryFailure, RangeResult } from '../providers/types.js';
import {
  deriveObjective,
  type Measurement,
  type MeasureOptions,
  measureObjective,
  type ObjectiveReport,
  objectiveReport,
  type SloObjective,
} from '../slo/index.js';
import { compare, convert } from '../units/index.js';
import type { PreparedCheck } from './index.js';

export interface MeasuredObjective {
  objective: SloObjective;
  measurement: Measurement;
  report: ObjectiveReport;
}

/** The file-wide `objective`, `alerting` and `runbook_url` defaults each metric may override. */
export function objectiveDefaultsOf(config: ObservabilityConfig) {
  return {
    ...(config.objective ? { objective: config.objective } : {}),
    ...(config.sloAlerting ? { sloAlerting: config.sloAlerting } : {}),
    ...(config.runbookUrl ? { runbookUrl: config.runbookUrl } : {}),
  };
}

/** The SLO of one planned check (pure). */
export function objectiveOfCheck(prepared: Pick<PreparedCheck, 'config'>, check: Check): SloObjective {
  const providerType = prepared.config.providers[check.mapping.provider]?.type ?? 'unknown';
  return deriveObjective({ check, providerType, defaults: objectiveDefaultsOf(prepared.config) });
}

/** A value of the metric's query meets the NFR: the instant verdict's comparison, per time slice. */
function meetsOf(check: Check): (value: number) => boolean {
  const { objective } = check;
  return (value) =>
    compare(convert(value, check.valueUnit, objective.unit), objective.comparator, objective.threshold);
}

/**
 * Measures one check's objective. `previous` supplies the parts not asked for (the daemon refreshes
 * the whole-window budget on its own cadence).
 */
export async function measureCheckObjective(
  prepared: Pick<PreparedCheck, 'config' | 'providers'>,
  check: Check,
  options: MeasureOptions & { previous?: Measurement | undefined },
): Promise<MeasuredObjective> {
  const objective = objectiveOfCheck(prepared, check);
  const measured = await measureObjective(
    {
      objective,
      provider: prepared.providers.get(check.mapping.provider) ?? null,
      providerName: check.mapping.provider,
      query: check.mapping.query,
      meets: meetsOf(check),
      queryOptions: {
        ...(check.mapping.reduce ? { reduce: check.mapping.reduce } : {}),
        ...(check.mapping.lookbackSeconds !== null ? { lookbackSeconds: check.mapping.lookbackSeconds } : {}),
      },
    },
    options,
  );
  const measurement: Measurement = {
    at: measured.at,
    budget: measured.budget ?? options.previous?.budget ?? null,
    burn: measured.burn ?? options.previous?.burn ?? null,
  };
  return { objective, measurement, report: objectiveReport(objective, check.mapping.query, measurement) };
}

/** Failures that say the backend cannot answer at all, whatever is asked. */
const BACKEND_DOWN: ReadonlySet<QueryFailure> = new Set(['unreachable', 'timeout', 'auth', 'rate_limited']);

/**
 * A provider that, once the backend proved unreachable (or refused the credentials), answers every
 * further query with that failure at once: a run asks a down backend for one round of timeouts, not
 * one per objective and window.
 */
export function failFast(provider: Provider): Provider {
  let down: { ok: false; failure: QueryFailure; message: string; warnings: string[] } | null = null;
  const remember = <R extends InstantResult | RangeResult>(result: R): R => {
    if (!result.ok && BACKEND_DOWN.has(result.failure)) down = { ...result, warnings: [] };
    return result;
  };
  return {
    name: provider.name,
    type: provider.type,
    host: provider.host,
    queryInstant: async (query, at, options) =>
      down ?? remember(await provider.queryInstant(query, at, options)),
    queryRange: async (query, start, end, step, options) =>
      down ?? remember(await provider.queryRange(query, start, end, step, options)),
  };
}

/** Every planned metric's objective at `at`, keyed by metric name. */
export async function measureObjectives(
  prepared: PreparedCheck,
  at: Date,
  options: { concurrency?: number; limit?: LimitFunction; signal?: AbortSignal } = {},
): Promise<Map<string, MeasuredObjective>> {
  const limit = options.limit ?? pLimit(options.concurrency ?? 8);
  const providers = new Map([...prepared.providers].map(([name, provider]) => [name, failFast(provider)]));
  const entries = await Promise.all(
    prepared.plan.checks.map(
      async (check) =>
        [
          check.nfr.metric,
          await measureCheckObjective({ config: prepared.config, providers }, check, {
            at,
            limit,
            ...(options.signal ? { signal: options.signal } : {}),
          }),
        ] as const,
    ),
  );
  return new Map(entries);
}
