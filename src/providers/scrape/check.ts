import type { ConfigDiagnostic, ObservabilityConfig } from '../../config/types.js';
import { SUPPORTED_SUBSET_HINT } from './schema.js';

/**
 * Config errors for scrape-provider queries outside the supported PromQL subset, one per mapping, so that
 * `run` refuses them (exit 2) and `validate` lists them; warnings for Datadog-only keys, which a scrape
 * ignores. The grammar is loaded only when a scrape provider is configured.
 */
export async function scrapeQueryDiagnostics(config: ObservabilityConfig): Promise<ConfigDiagnostic[]> {
  const mappings = config.metrics.filter((m) => config.providers[m.provider]?.type === 'scrape');
  if (mappings.length === 0) return [];
  const { compileScrapeQuery, UnsupportedQuery } = await import('./query.js');
  const diagnostics: ConfigDiagnostic[] = [];
  for (const mapping of mappings) {
    const field = `metrics[${config.metrics.indexOf(mapping)}]`;
    for (const [key, set] of [
      ['reduce', mapping.reduce !== null],
      ['lookback', mapping.lookbackSeconds !== null],
    ] as const) {
      if (!set) continue;
      diagnostics.push({
        severity: 'warning',
        file: config.file,
        line: mapping.line,
        column: 1,
        field: `${field}.${key}`,
        message: `\`${key}\` applies to datadog providers only; ignored (a scrape provider's window is its interval)`,
        hint: null,
      });
    }
    try {
      compileScrapeQuery(mapping.query);
    } catch (error) {
      if (!(error instanceof UnsupportedQuery)) throw error;
      diagnostics.push({
        severity: 'error',
        file: config.file,
        line: mapping.line,
        column: 1,
        field: `${field}.query`,
        message: `metric "${mapping.name}": ${error.message}`,
        hint: SUPPORTED_SUBSET_HINT,
      });
    }
  }
  return diagnostics;
}
