/** Provider types that have no top-level form: they are declared under `providers:` only. */
const NAMED_ONLY_EXAMPLES: Readonly<Record<string, string>> = {
  influxdb: 'providers: { influx: { type: influxdb, url: ..., database: ... } }',
  graphite: 'providers: { graphite: { type: graphite, url: ... } }',
};

/** The hint for `provider: influxdb` at the top level; null for any other value. */
export function namedOnlyProviderHint(value: unknown): string | null {
  const example = typeof value === 'string' ? NAMED_ONLY_EXAMPLES[value] : undefined;
  return example ? `${value} providers are declared under \`providers:\`, e.g. \`${example}\`` : null;
}
