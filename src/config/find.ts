import { statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface FindObservabilityConfigOptions {
  /** Workspace root (absolute). */
  root: string;
  /** Folder of the spec, absolute or relative to root. */
  specDir: string;
  specId: string;
  /** `--obs-config`: absolute, or relative to root. When given, nothing else is searched. */
  explicit?: string;
}

export interface FoundObservabilityConfig {
  file: string | null;
  /** Every candidate looked at, in order, up to and including the one found. */
  searched: string[];
}

const NAMES = ['observability.yaml', 'observability.yml'];
/** A spec id becomes part of a path: refuse anything that could leave the folder. */
const SAFE_SPEC_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Where observability.yaml is: `--obs-config`, else the spec folder, `.spec/observability/<spec-id>.yaml`,
 * `.spec/observability.yaml`, then `observability.yaml` at the root (each also as `.yml`).
 */
export function findObservabilityConfig(options: FindObservabilityConfigOptions): FoundObservabilityConfig {
  const { root, specDir, specId, explicit } = options;
  if (explicit !== undefined) {
    const file = isAbsolute(explicit) ? explicit : resolve(root, explicit);
    return { file: isFile(file) ? file : null, searched: [file] };
  }
  const spec = resolve(root, specDir);
  const candidates = [
    ...NAMES.map((name) => join(spec, name)),
    ...(SAFE_SPEC_ID.test(specId) && !specId.includes('..')
      ? ['yaml', 'yml'].map((extension) => join(root, '.spec', 'observability', `${specId}.${extension}`))
      : []),
    ...NAMES.map((name) => join(root, '.spec', name)),
    ...NAMES.map((name) => join(root, name)),
  ];
  const searched: string[] = [];
  for (const candidate of candidates) {
    searched.push(candidate);
    if (isFile(candidate)) return { file: candidate, searched };
  }
  return { file: null, searched };
}
