import { durationSeconds, httpSettings, httpUrl, type NormalizeContext } from '../../config/normalize.js';
import {
  DATADOG_ONLY_KEYS,
  PROMETHEUS_ONLY_KEYS,
  type RawHeaders,
  type RawTls,
} from '../../config/schema.js';
import type { HttpSettings } from '../../config/types.js';
import type { FieldPath } from '../../config/yaml-source.js';
import { DEFAULT_SCRAPE_INTERVAL_SECONDS } from './schema.js';

export interface ScrapeProviderConfig {
  type: 'scrape';
  name: string;
  /** `url` is the metrics endpoint itself, query string included. */
  http: HttpSettings;
  /** Time between the two scrapes of one evaluation. */
  intervalSeconds: number;
}

/** The keys a scrape provider reads, at the top level or under `providers:`. */
export interface ScrapeFields {
  url?: string | undefined;
  interval?: number | string | undefined;
  headers?: RawHeaders | undefined;
  timeout?: number | string | undefined;
  tls?: RawTls | undefined;
  follow_redirects?: boolean | undefined;
  max_response_size?: number | string | undefined;
}

/** Normalizes `type: scrape` (named) or `provider: scrape` (top level, where other types' keys are refused). */
export function buildScrape(
  context: NormalizeContext,
  name: string,
  fields: ScrapeFields,
  basePath: FieldPath,
): ScrapeProviderConfig {
  if (basePath.length === 0) {
    const written = fields as Record<string, unknown>;
    for (const key of [...PROMETHEUS_ONLY_KEYS, ...DATADOG_ONLY_KEYS]) {
      if (written[key] === undefined) continue;
      context.sink.error(
        [key],
        `\`${key}\` is not a scrape setting, but \`provider\` is scrape`,
        'remove it, or declare that provider under `providers:`',
        { key: true },
      );
    }
  }
  let url = '';
  if (fields.url === undefined) {
    context.sink.error(
      [...basePath, 'url'],
      'missing required key `url` for a scrape provider',
      'the metrics endpoint itself, e.g. `url: http://127.0.0.1:8080/metrics`',
    );
  } else {
    url = httpUrl(context, fields.url, [...basePath, 'url']);
  }
  return {
    type: 'scrape',
    name,
    http: httpSettings(context, fields, basePath, url),
    intervalSeconds: durationSeconds(
      context,
      fields.interval,
      [...basePath, 'interval'],
      DEFAULT_SCRAPE_INTERVAL_SECONDS,
      { positive: true },
    ),
  };
}
