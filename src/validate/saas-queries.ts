import type { ProviderConfig } from '../config/types.js';
import type { Check } from '../evaluate/plan.js';
import { parseCloudWatchQuery } from '../providers/cloudwatch.js';
import { parseDatadogV2Query } from '../providers/datadog-v2.js';
import type { ValidationProblem } from './index.js';
import { checkNrqlShape } from './nrql.js';

/**
 * Offline checks of the query forms of New Relic (NRQL by shape), Datadog v2 (formula lines) and
 * CloudWatch (MetricDataQueries): what would fail every run is an error here.
 */
export function checkSaasQueries(
  checks: readonly Check[],
  providers: Readonly<Record<string, ProviderConfig>>,
  configFile: string,
): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const check of checks) {
    const provider = providers[check.mapping.provider];
    const where = `${configFile}:${check.mapping.line}`;
    const report = (kind: string, message: string, hint: string | null = null) =>
      problems.push({
        severity: 'error',
        where,
        message: `metrics "${check.mapping.name}": ${kind}: ${message}`,
        hint,
      });
    const query = check.mapping.query;
    switch (provider?.type) {
      case 'newrelic':
        for (const problem of checkNrqlShape(query)) report('NRQL', problem);
        break;
      case 'datadog': {
        const lines = query.split('\n').filter((line) => line.trim() !== '');
        if (provider.api !== 'v2') {
          if (lines.length > 1) {
            report(
              'Datadog',
              'a query of several lines (a formula and named queries) needs the v2 API',
              'add `api: v2` to the Datadog provider',
            );
          }
          break;
        }
        const parsed = parseDatadogV2Query(query);
        if (!parsed.ok) report('Datadog v2', parsed.problem);
        break;
      }
      case 'cloudwatch': {
        const parsed = parseCloudWatchQuery(query, provider.periodSeconds);
        if (!parsed.ok) report('CloudWatch', parsed.problem);
        break;
      }
      default:
        break;
    }
  }
  return problems;
}
