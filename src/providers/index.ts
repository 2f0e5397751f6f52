import type { HostDecision } from '../common/guarded-fetch.js';
import type { HttpTransport } from '../common/http-transport.js';
import type { ProviderConfig } from '../config/types.js';
import { createCloudWatchProvider } from './cloudwatch.js';
import { createDatadogProvider } from './datadog.js';
import { createDatadogV2Provider } from './datadog-v2.js';
import { createDynatraceProvider } from './dynatrace.js';
import { createGraphiteProvider } from './graphite.js';
import { createInfluxdbProvider } from './influxdb.js';
import { createNewRelicProvider } from './newrelic.js';
import { createPrometheusProvider } from './prometheus.js';
import { createScrapeProvider } from './scrape/provider.js';
import type { Provider } from './types.js';

export type {
  InstantResult,
  Provider,
  QueryFailure,
  QueryOptions,
  RangeResult,
  Sample,
} from './types.js';

export interface ProviderDeps {
  /** Replaces the node:http(s) transport (tests, instrumentation). */
  transport?: HttpTransport;
  /** Sent as User-Agent unless the config's headers set one. */
  userAgent?: string;
  /** The network policy; asked for every host a followed redirect leads to. */
  allowHost?: (host: string) => HostDecision;
}

/**
 * The backend client for one configured provider. Queries never throw for backend problems:
 * they resolve to `{ ok: false, failure, message }` with a message that names what to check
 * and never contains secret values.
 */
export function createProvider(config: ProviderConfig, deps: ProviderDeps = {}): Provider {
  switch (config.type) {
    case 'prometheus':
      return createPrometheusProvider(config, deps);
    case 'datadog':
      return config.api === 'v2'
        ? createDatadogV2Provider(config, deps)
        : createDatadogProvider(config, deps);
    case 'newrelic':
      return createNewRelicProvider(config, deps);
    case 'cloudwatch':
      return createCloudWatchProvider(config, deps);
    case 'dynatrace':
      return createDynatraceProvider(config, deps);
    case 'influxdb':
      return createInfluxdbProvider(config, deps);
    case 'graphite':
      return createGraphiteProvider(config, deps);
    case 'scrape':
      return createScrapeProvider(config, deps);
  }
}
