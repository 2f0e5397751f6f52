import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import { diagnosticFor, errorsOf } from './support.js';

const ENV = {
  NEW_RELIC_API_KEY: 'NRAK-CONFIGTEST000000000000000',
  DT_API_TOKEN: 'dt0c01.CONFIGTEST.0000000000000000',
  DATADOG_API_KEY: 'dd-api-config-test-0000',
  DATADOG_APP_KEY: 'dd-app-config-test-0000',
};

const METRIC = 'metrics:\n  - name: m\n    query: q\n';

function load(providers: string) {
  return parseObservabilityConfig(`providers:\n${providers}${METRIC}`, 'observability.yaml', ENV);
}

describe('newrelic, cloudwatch and dynatrace providers in observability.yaml', () => {
  it('fills New Relic defaults: the US NerdGraph endpoint, 5 m lookback; eu picks the EU endpoint', () => {
    const us = load(
      '  nr:\n    type: newrelic\n    api_key: "{{env.NEW_RELIC_API_KEY}}"\n    account_id: 1234567\n',
    );
    expect(errorsOf(us)).toEqual([]);
    expect(us.config!.providers.nr).toMatchObject({
      type: 'newrelic',
      accountId: 1234567,
      region: 'us',
      lookbackSeconds: 300,
      http: { url: 'https://api.newrelic.com', timeoutMs: 10_000 },
    });
    const eu = load(
      '  nr:\n    type: newrelic\n    api_key: env:NEW_RELIC_API_KEY\n    account_id: "1234567"\n    region: eu\n    lookback: 15m\n',
    );
    expect(eu.config!.providers.nr).toMatchObject({ region: 'eu', accountId: 1234567, lookbackSeconds: 900 });
    expect(eu.config!.providers.nr).toMatchObject({ http: { url: 'https://api.eu.newrelic.com' } });
    expect(eu.config!.secretValues).toContain(ENV.NEW_RELIC_API_KEY);
  });

  it('refuses literal keys and tokens without echoing them', () => {
    const result = load(
      '  nr:\n    type: newrelic\n    api_key: NRAK-LITERAL0000000000000000000\n    account_id: 1\n  dt:\n    type: dynatrace\n    url: https://abc12345.live.dynatrace.com\n    api_token: dt0c01.LITERAL.000000000000\n',
    );
    expect(diagnosticFor(result, 'providers.nr.api_key').severity).toBe('error');
    expect(diagnosticFor(result, 'providers.dt.api_token').severity).toBe('error');
    expect(JSON.stringify(result.diagnostics)).not.toMatch(/NRAK-LITERAL|dt0c01\.LITERAL/);
  });

  it('derives the CloudWatch endpoint from the region, checks the region and the period', () => {
    const ok = load(
      '  aws:\n    type: cloudwatch\n    region: eu-central-1\n    period: 5m\n    reduce: avg\n',
    );
    expect(errorsOf(ok)).toEqual([]);
    expect(ok.config!.providers.aws).toMatchObject({
      type: 'cloudwatch',
      region: 'eu-central-1',
      customEndpoint: false,
      periodSeconds: 300,
      reduce: 'avg',
      http: { url: 'https://monitoring.eu-central-1.amazonaws.com' },
    });
    const bad = load('  aws:\n    type: cloudwatch\n    region: Frankfurt\n    period: 45s\n');
    expect(diagnosticFor(bad, 'providers.aws.region').message).toBe('not an AWS region name');
    expect(diagnosticFor(bad, 'providers.aws.period').message).toContain('multiple of 60 seconds');
  });

  it('requires the Dynatrace environment URL and takes no API path in it', () => {
    const missing = load('  dt:\n    type: dynatrace\n    api_token: env:DT_API_TOKEN\n');
    expect(errorsOf(missing).map((d) => d.field)).toEqual(['providers.dt.url']);
    const withPath = load(
      '  dt:\n    type: dynatrace\n    url: https://abc12345.live.dynatrace.com/api/v2/metrics/query\n    api_token: env:DT_API_TOKEN\n',
    );
    expect(diagnosticFor(withPath, 'providers.dt.url').message).toContain(
      'the API path is added by the monitor',
    );
  });

  it('reads Datadog `api: v2` on a named and a top-level provider, and refuses other versions', () => {
    const named = load(
      '  dd:\n    type: datadog\n    api: v2\n    api_key: env:DATADOG_API_KEY\n    app_key: env:DATADOG_APP_KEY\n',
    );
    expect(named.config!.providers.dd).toMatchObject({ type: 'datadog', api: 'v2' });
    const top = parseObservabilityConfig(
      `provider: datadog\napi: v2\napi_key: env:DATADOG_API_KEY\napp_key: env:DATADOG_APP_KEY\n${METRIC}`,
      'observability.yaml',
      ENV,
    );
    expect(top.config!.providers.default).toMatchObject({ api: 'v2' });
    const wrong = load('  dd:\n    type: datadog\n    api: v3\n    api_key: env:DATADOG_API_KEY\n');
    expect(diagnosticFor(wrong, 'providers.dd.api').message).toContain('unknown Datadog API version `v3`');
  });

  it('warns that a metric’s `reduce` does nothing on New Relic, where the NRQL aggregate is the value', () => {
    const result = parseObservabilityConfig(
      'providers:\n  nr:\n    type: newrelic\n    api_key: env:NEW_RELIC_API_KEY\n    account_id: 1\nmetrics:\n  - name: m\n    query: SELECT count(*) FROM Transaction\n    reduce: max\n    lookback: 10m\n',
      'observability.yaml',
      ENV,
    );
    expect(errorsOf(result)).toEqual([]);
    expect(diagnosticFor(result, 'metrics[0].reduce')).toMatchObject({ severity: 'warning', line: 9 });
    expect(result.config!.metrics[0]).toMatchObject({ lookbackSeconds: 600 });
  });
});
