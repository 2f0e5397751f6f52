import type { HttpSettings, Reduction } from './types.js';

/** New Relic regions with their NerdGraph endpoints (newrelic-client-go's region list). */
export type NewRelicRegion = 'us' | 'eu' | 'jp' | 'fedramp';

/** NRQL through NerdGraph (`POST /graphql`). */
export interface NewRelicProviderConfig {
  type: 'newrelic';
  name: string;
  /** Base URL; `/graphql` is appended. Default: the region's endpoint. */
  http: HttpSettings;
  /** User key (NRAK-…), sent as `API-Key`. */
  apiKey: string;
  accountId: number;
  region: NewRelicRegion;
  /** How far back from the evaluation time the NRQL query looks (SINCE … UNTIL …). */
  lookbackSeconds: number;
}

/** Amazon CloudWatch `GetMetricData` through the AWS SDK for JavaScript v3. */
export interface CloudWatchProviderConfig {
  type: 'cloudwatch';
  name: string;
  /** `url` is the endpoint (default `https://monitoring.<region>.amazonaws.com`); headers are unused. */
  http: HttpSettings;
  region: string;
  /** An `endpoint` was configured (a fake, a VPC endpoint, LocalStack). */
  customEndpoint: boolean;
  /** Shared config/credentials profile; null = the SDK's default chain. */
  profile: string | null;
  /** `Period` of a query written as a bare expression, in seconds. */
  periodSeconds: number;
  lookbackSeconds: number;
  reduce: Reduction;
}

/** Dynatrace metrics API v2 (`GET /api/v2/metrics/query`). */
export interface DynatraceProviderConfig {
  type: 'dynatrace';
  name: string;
  /** The environment URL, e.g. https://abc12345.live.dynatrace.com. */
  http: HttpSettings;
  /** Sent as `Authorization: Api-Token <token>`; needs the metrics.read scope. */
  apiToken: string;
  lookbackSeconds: number;
  reduce: Reduction;
}

export type SaasProviderConfig = NewRelicProviderConfig | CloudWatchProviderConfig | DynatraceProviderConfig;
