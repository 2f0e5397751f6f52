import { expect } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import type { ObservabilityConfig } from '../../src/config/types.js';
import { planChecks } from '../../src/evaluate/plan.js';
import { deriveObjective, type SloObjective } from '../../src/slo/index.js';
import { parseNfrs } from '../../src/spec/index.js';

/** A spec.md with one NFR table row per `rows` entry: [metric, target]. */
export function specOf(rows: [string, string][]): string {
  return [
    '# Spec',
    '',
    '## Non-Functional Requirements',
    '',
    '| Requirement | Metric | Target |',
    '|---|---|---|',
    ...rows.map(([metric, target]) => `| ${metric} | \`${metric}\` | ${target} |`),
    '',
  ].join('\n');
}

/** Datadog keys for configs that name them; never sent anywhere (nothing is queried). */
const FAKE_ENV = { DD_API_KEY: 'dd-api-key-for-tests', DD_APP_KEY: 'dd-app-key-for-tests' };

export function configOf(yaml: string): ObservabilityConfig {
  const result = parseObservabilityConfig(yaml, 'observability.yaml', FAKE_ENV);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!result.config) throw new Error('config did not load');
  return result.config;
}

/** Every objective of a spec + config pair, through the real NFR parser and planner. */
export function objectivesOf(spec: string, yaml: string): Map<string, SloObjective> {
  const config = configOf(yaml);
  const plan = planChecks(parseNfrs(spec).nfrs, config.metrics, config.unmapped);
  const objectives = new Map<string, SloObjective>();
  for (const check of plan.checks) {
    objectives.set(
      check.mapping.name,
      deriveObjective({
        check,
        providerType: config.providers[check.mapping.provider]?.type ?? 'unknown',
        defaults: {
          ...(config.objective ? { objective: config.objective } : {}),
          ...(config.sloAlerting ? { sloAlerting: config.sloAlerting } : {}),
          ...(config.runbookUrl ? { runbookUrl: config.runbookUrl } : {}),
        },
      }),
    );
  }
  return objectives;
}
