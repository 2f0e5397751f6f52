import type { ConfigDiagnostic, ObservabilityConfig } from '../../config/types.js';
import { SUPPORTED_SUBSET_HINT } from './schema.js';

/**
 * Config errors for scrape-provider queries outside the supported PromQL subset, one per mapping, so that
 * `run` refuses them (exit 2) and `validate` lists them. The grammar is loaded only when a scrape provider
 * is configured.
 */
export async function scrapeQueryDiagnostics(config: ObservabilityConfig): Promise<ConfigDiagnostic[]> {
  const mappings = config.metrics.filter((m) => config.providers[m.provider]?.type === 'scrape');
  if (mappings.length === 0) return [];
  const { compileScrapeQuery, UnsupportedQuery } = await import('./query.js');
  const diagnostics: ConfigDiagnostic[] = [];
  for (const mapping of mappings) {
    try {
      compileScrapeQuery(mapping.query);
    } catch (error) {
      if (!(error instanceof UnsupportedQuery)) throw error;
      diagnostics.push({
        severity: 'error',
        file: config.file,
        line: mapping.line,
        column: 1,
        field: `metrics[${config.metrics.indexOf(mapping)}].query`,
        message: `metric "${mapping.name}": ${error.message}`,
        hint: SUPPORTED_SUBSET_HINT,
      });
    }
  }
  return diagnostics;
}
