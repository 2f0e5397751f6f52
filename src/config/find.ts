import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from '../common/errors.js';

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
 * A discovered config must really be inside the workspace: a symlink (of the file or of a folder on
 * its way) that leads out of it is refused, not read, and not skipped for the next candidate.
 */
function refuseIfOutside(root: string, candidate: string): void {
  let realRoot: string;
  let real: string;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(candidate);
  } catch {
    return;
  }
  if (real === realRoot || real.startsWith(realRoot + sep)) return;
  throw new UserError(
    'unsafe_path',
    `${relative(root, candidate)} leads outside the workspace root through a symbolic link; it is not read`,
    {
      location: { file: relative(root, candidate) },
      hint:
        'put the observability.yaml itself inside the workspace, or name the file you trust explicitly ' +
        'with --obs-config <path> (an explicit path may lie anywhere)',
    },
  );
}

/**
 * Where observability.yaml is: `--obs-config`, else the spec folder, `.spec/observability/<spec-id>.yaml`,
 * `.spec/observability.yaml`, then `observability.yaml` at the root (each also as `.yml`). A discovered
 * file whose real location is outside the workspace is refused (UserError 'unsafe_path'); the explicit
 * `--obs-config` is the user's choice and may lie anywhere.
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
    if (isFile(candidate)) {
      refuseIfOutside(root, candidate);
      return { file: candidate, searched };
    }
  }
  return { file: null, searched };
}
