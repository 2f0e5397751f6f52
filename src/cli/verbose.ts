import type { PreparedCheck } from '../pipeline/index.js';

/**
 * `--verbose`: what each metric will ask, and where: the resolved query and the provider's host
 * (never its headers, credentials or the URL's user info; the output is redacted as well).
 */
export function describeQueries(prepared: PreparedCheck): string[] {
  return prepared.plan.checks.map((check) => {
    const providerName = check.mapping.provider;
    const provider = prepared.config.providers[providerName];
    const host = provider ? hostOf(provider.http.url) : 'unknown host';
    const type = provider?.type ?? 'unknown';
    return `query ${check.nfr.metric} → ${type} "${providerName}" at ${host}: ${check.mapping.query}`;
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}
