import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import { checkSaasQueries } from '../../src/validate/saas-queries.js';

const DOC = fileURLToPath(new URL('../../docs/observability-yaml.md', import.meta.url));
const ENV = {
  DATADOG_API_KEY: 'dd-api-docs-example-000',
  DATADOG_APP_KEY: 'dd-app-docs-example-000',
  NEW_RELIC_API_KEY: 'NRAK-DOCSEXAMPLE0000000000000',
  DT_API_TOKEN: 'dt0c01.DOCSEXAMPLE.000000000000',
};

/** The YAML blocks of a docs section, from its heading to the next heading of the same level or above. */
function examples(heading: string): string[] {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf(`${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const level = heading.split(' ')[0]!;
  const rest = text.slice(start + heading.length);
  const end = rest.search(new RegExp(`\\n#{1,${level.length}} `));
  const section = end === -1 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

describe('the copy-paste examples of the New Relic, CloudWatch, Dynatrace and Datadog v2 sections', () => {
  for (const heading of [
    '#### Datadog v2: `api: v2` (timeseries with formulas)',
    '### New Relic (`type: newrelic`)',
    '### Amazon CloudWatch (`type: cloudwatch`)',
    '### Dynatrace (`type: dynatrace`)',
  ]) {
    it(`load without errors and pass the offline query checks: ${heading}`, () => {
      const blocks = examples(heading);
      expect(blocks).toHaveLength(1);
      const result = parseObservabilityConfig(blocks[0]!, 'observability.yaml', ENV);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const config = result.config!;
      const checks = config.metrics.map(
        (mapping) => ({ mapping }) as Parameters<typeof checkSaasQueries>[0][number],
      );
      expect(checkSaasQueries(checks, config.providers, 'observability.yaml')).toEqual([]);
    });
  }
});
