/**
 * OpenSLO v1 and Sloth `prometheus/v1` files as mapping sources (docs/slo.md#import): listed under
 * `slo_sources:` in observability.yaml, read inside the workspace, joined to the spec's NFRs by metric
 * name, and merged into the config's mappings so everything downstream works unchanged.
 */
import path from 'node:path';
import type { Nfr } from '../../spec/types.js';
import type { LoadResult } from '../load.js';
import type { ConfigDiagnostic } from '../types.js';
import { joinImportedSlos } from './join.js';
import { readSloSources } from './read.js';

export { joinImportedSlos } from './join.js';
export { readSloSources } from './read.js';
export type * from './types.js';

export interface ApplySloSourcesOptions {
  root: string;
  specId: string;
  nfrs: readonly Nfr[];
  maxBytes?: number;
}

/** The loaded config with its `slo_sources` read and joined; their problems join the diagnostics. */
export function applySloSources(loaded: LoadResult, options: ApplySloSourcesOptions): LoadResult {
  const { config } = loaded;
  if (!config?.sloSources) return loaded;
  const read = readSloSources(config.sloSources, {
    root: options.root,
    configFile: config.file,
    ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
  });
  const show = (file: string) => path.relative(options.root, file) || file;
  const joined = joinImportedSlos(config, options.nfrs, options.specId, read.slos, show);
  // Each file's problems in its own order; the caller stops on errors as it does for observability.yaml.
  const diagnostics = [...loaded.diagnostics, ...byFile(read.diagnostics), ...byFile(joined.diagnostics)];
  return { config: { ...config, metrics: joined.metrics }, diagnostics };
}

function byFile(diagnostics: readonly ConfigDiagnostic[]): ConfigDiagnostic[] {
  return [...diagnostics].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
}
