import { describe, expect, it } from 'vitest';
import { openSloDocuments } from '../../src/slo/index.js';
import { objectivesOf, specOf } from './support.js';

const spec = specOf([['latency_mean', '< 100ms']]);
const CONFIG = `provider: prometheus
url: http://127.0.0.1:9090
metrics:
  - name: latency_mean
    query: 'q'
    objective: { target: 0.99, slice: 5m }
`;

describe('OpenSLO metric sources', () => {
  it.each([
    ['influxdb', 'InfluxDB'],
    ['graphite', 'Graphite'],
    ['datadog', 'Datadog'],
    ['prometheus', 'Prometheus'],
  ])('a %s query is a %s metricSource', (providerType, sourceType) => {
    const [objective] = [...objectivesOf(spec, CONFIG).values()];
    const [document] = openSloDocuments([
      {
        specId: 'spec-shop',
        requirement: 'latency_mean',
        targetText: '< 100ms',
        objective: objective!,
        query: 'SELECT mean("d") FROM "http" WHERE $timeFilter',
        providerType,
        threshold: { comparator: '<', value: 0.1 },
      },
    ]);
    expect(document).toMatchObject({
      spec: { indicator: { spec: { thresholdMetric: { metricSource: { type: sourceType } } } } },
    });
  });
});
