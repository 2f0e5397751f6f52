import * as z from 'zod/mini';
import type { NormalizeContext } from '../normalize.js';
import { baseUrl, durationSeconds, httpSettings, prometheusAuth } from '../normalize.js';
import type { ProviderSchemaParts } from '../schema.js';
import type { HttpSettings, PrometheusProviderConfig } from '../types.js';
import { DEFAULTS } from '../vocabulary.js';
import type { FieldPath } from '../yaml-source.js';
import { described } from '../zod-mini.js';

/** An InfluxDB 1.x database (also the 1.x-compatible `/query` of InfluxDB 2 and 3), queried with InfluxQL. */
export interface InfluxdbProviderConfig {
  type: 'influxdb';
  name: string;
  http: HttpSettings;
  /** Sent as `db`. */
  database: string;
  /** Sent as `rp`; null = the database's default retention policy. */
  retentionPolicy: string | null;
  /** Basic (1.x user and password) or bearer (InfluxDB 3); never sent as `u`/`p` URL parameters. */
  auth: PrometheusProviderConfig['auth'];
  /** The `$timeFilter` window of instant queries, ending at the evaluation time. */
  lookbackSeconds: number;
}

/** Built from the pieces schema.ts shares, so this file needs no runtime import of it. */
export function influxdbProviderSchema(parts: ProviderSchemaParts) {
  return described(
    z.strictObject({
      type: z.literal('influxdb'),
      url: parts.url('Base URL of the InfluxDB HTTP API, e.g. http://127.0.0.1:8086.'),
      database: described(
        z.string().check(z.minLength(1, { error: 'must not be empty' })),
        'Database, sent as `db`.',
      ),
      retention_policy: z.optional(
        described(
          z.string().check(z.minLength(1)),
          'Retention policy, sent as `rp`; default: the database default.',
        ),
      ),
      auth: z.optional(parts.auth),
      ...parts.connectionFields,
      lookback: z.optional(
        parts.duration('InfluxDB: the window `$timeFilter` covers, ending at the evaluation time.', '5m'),
      ),
    }),
    'An InfluxDB 1.x database queried with InfluxQL over /query (write `WHERE $timeFilter`).',
  );
}

export type RawInfluxdbProvider = z.infer<ReturnType<typeof influxdbProviderSchema>>;

export function buildInfluxdb(
  context: NormalizeContext,
  name: string,
  raw: RawInfluxdbProvider,
  basePath: FieldPath,
): InfluxdbProviderConfig {
  const url = baseUrl(context, raw.url, [...basePath, 'url']);
  return {
    type: 'influxdb',
    name,
    http: httpSettings(context, raw, basePath, url),
    database: raw.database,
    retentionPolicy: raw.retention_policy ?? null,
    auth: prometheusAuth(context, raw.auth, [...basePath, 'auth']),
    lookbackSeconds: lookbackOf(context, raw.lookback, [...basePath, 'lookback']),
  };
}

export function lookbackOf(
  context: NormalizeContext,
  value: number | string | undefined,
  path: FieldPath,
): number {
  return durationSeconds(context, value, path, DEFAULTS.lookbackSeconds, { positive: true });
}
