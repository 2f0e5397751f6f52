import * as z from 'zod/mini';
import type { NormalizeContext } from '../normalize.js';
import { baseUrl, httpSettings, prometheusAuth } from '../normalize.js';
import type { ProviderSchemaParts } from '../schema.js';
import type { HttpSettings, PrometheusProviderConfig } from '../types.js';
import type { FieldPath } from '../yaml-source.js';
import { described } from '../zod-mini.js';
import { lookbackOf } from './influxdb.js';

/** A graphite-web render API (also Grafana Cloud's hosted Graphite). */
export interface GraphiteProviderConfig {
  type: 'graphite';
  name: string;
  http: HttpSettings;
  /** Basic for hosted Graphite (`<user>:<token>`); none for a plain graphite-web. */
  auth: PrometheusProviderConfig['auth'];
  /** Instant queries take the last non-null point within this window, ending at the evaluation time. */
  lookbackSeconds: number;
}

export function graphiteProviderSchema(parts: ProviderSchemaParts) {
  return described(
    z.strictObject({
      type: z.literal('graphite'),
      url: parts.url('Base URL of graphite-web, e.g. http://127.0.0.1:8080 (the monitor adds /render).'),
      auth: z.optional(parts.auth),
      ...parts.connectionFields,
      lookback: z.optional(
        parts.duration('Graphite: instant queries take the last non-null point within this window.', '5m'),
      ),
    }),
    'A Graphite render API (format=json); null points are unknown.',
  );
}

export type RawGraphiteProvider = z.infer<ReturnType<typeof graphiteProviderSchema>>;

export function buildGraphite(
  context: NormalizeContext,
  name: string,
  raw: RawGraphiteProvider,
  basePath: FieldPath,
): GraphiteProviderConfig {
  const url = baseUrl(context, raw.url, [...basePath, 'url']);
  return {
    type: 'graphite',
    name,
    http: httpSettings(context, raw, basePath, url),
    auth: prometheusAuth(context, raw.auth, [...basePath, 'auth']),
    lookbackSeconds: lookbackOf(context, raw.lookback, [...basePath, 'lookback']),
  };
}
