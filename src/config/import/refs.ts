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

const SLO_SOURCE_MARKERS: readonly [RegExp, string][] = [
  [/^apiVersion:\s*["']?openslo\//m, 'an OpenSLO file'],
  [/^version:\s*["']?prometheus\/v1\b/m, 'a Sloth spec'],
  [/^apiVersion:\s*["']?sloth\.slok\.dev\//m, 'a Sloth PrometheusServiceLevel'],
];

/**
 * An OpenSLO or Sloth file given where observability.yaml was expected (`--obs-config slo.yaml`): it names
 * no backend, so it is refused with the way to use it. Null for anything else.
 */
export function misplacedSloSource(text: string): { message: string; hint: string } | null {
  const found = SLO_SOURCE_MARKERS.find(([marker]) => marker.test(text));
  if (!found) return null;
  return {
    message: `this is ${found[1]}, not an observability.yaml: it says what to measure but not which backend to ask`,
    hint:
      'write an observability.yaml with the provider (`provider: prometheus`, `url: …`) and `slo_sources: [<this file>]`, ' +
      'and point --obs-config at it (docs/slo.md#import)',
  };
}
