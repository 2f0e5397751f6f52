import { describe, expect, it } from 'vitest';
import { openSloDocuments } from '../../src/slo/index.js';
import { objectivesOf, specOf } from './support.js';

const spec = specOf([['latency_mean', '< 100ms']]);
const YAML = `provider: prometheus
url: http://127.0.0.1:9090
metrics:
  - name: latency_mean
    query: 'q'
`;

describe('OpenSLO documents name the backend of each query', () => {
  for (const [providerType, sourceType] of [
    ['newrelic', 'NewRelic'],
    ['cloudwatch', 'CloudWatch'],
    ['dynatrace', 'Dynatrace'],
    ['datadog', 'Datadog'],
  ] as const) {
    it(`${providerType} → metricSource.type ${sourceType}`, () => {
      const [objective] = [...objectivesOf(spec, YAML).values()];
      const [document] = openSloDocuments([
        {
          specId: 'spec-shop',
          requirement: 'latency_mean',
          targetText: '< 100ms',
          objective: objective!,
          query: 'SELECT average(duration) FROM Transaction',
          providerType,
          threshold: { comparator: '<', value: 0.1 },
        },
      ]);
      expect(JSON.stringify(document)).toContain(`"metricSource":{"type":"${sourceType}"`);
    });
  }
});
