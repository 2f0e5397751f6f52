import { dirname, resolve } from 'node:path';
import type { FieldPath, Position } from '../yaml-source.js';
import type { SloSourceRef } from './types.js';

/**
 * `slo_sources:` of observability.yaml as references resolved against the file's folder, with their
 * positions; nothing is read here (the pipeline reads them inside the workspace). Light: no PromQL parser.
 */
export function sloSourceRefs(
  written: readonly string[] | undefined,
  configFile: string,
  locate: (path: FieldPath) => Position,
): { sloSources?: SloSourceRef[] } {
  if (!written || written.length === 0) return {};
  return {
    sloSources: written.map((entry, index) => ({
      written: entry,
      path: resolve(dirname(configFile), entry),
      ...locate(['slo_sources', index]),
    })),
  };
}
