/** What the monitor takes from `.spec/smartspec.config.yaml` (or the built-in SmartSpec defaults). */
export interface SmartSpecSettings {
  /** Absolute path of the config whose values are in effect; null = built-in defaults (absent or unparsable file). */
  file: string | null;
  /** `safety.spec_id_regex`, compiled case-insensitive (real indexes hold `SPEC-001-PROJECT-OVERVIEW`). */
  specIdRegex: RegExp;
  /** The pattern as written in the config (for messages). */
  specIdRegexSource: string;
  /** `output.reports_root`, relative to the workspace root ('.spec/reports'). */
  reportsRoot: string;
  /** `safety.allow_writes_only_under`, normalised relative POSIX paths. */
  allowWritesOnlyUnder: string[];
  disallowSymlinkWrites: boolean;
  networkPolicy: { default: 'allow' | 'deny'; allowlistDomains: string[] };
  /** Built-in patterns plus those of `safety.redaction.patterns`; each regex has the `g` flag (for `replace`). Empty when redaction is disabled. */
  redactionPatterns: { name: string; regex: RegExp }[];
  /** `safety.output_collision.on_collision`. */
  onCollision: 'new_run_id' | 'fail';
  /** `registries.spec_index` when the config names one (relative to the root); null = not configured. */
  specIndexPath: string | null;
  /** `safety.content_limits.max_files_scanned` (bounded scans). */
  maxFilesScanned?: number;
  /** `safety.content_limits.max_file_bytes_scanned`: the size limit of observability.yaml. */
  maxFileBytesScanned?: number;
  /** `safety.content_limits.max_excerpt_chars` (excerpts embedded in reports). */
  maxExcerptChars?: number;
  /** `safety.content_limits.max_spec_bytes`: larger spec files are refused (exit 2). */
  maxSpecBytes?: number;
}

export interface LoadedSmartSpecSettings {
  settings: SmartSpecSettings;
  /** One line each, `file:line: what is wrong; what is used instead`. */
  warnings: string[];
}

export interface ResolvedSpec {
  /** The id as the index or the folder spells it. */
  specId: string;
  /** Absolute path of the spec file (under the root as given). */
  specFile: string;
  /** Absolute path of the folder holding the spec file. */
  specDir: string;
  category: string | null;
  /** 'index' when the index entry's own path led to the file; 'folder' when the folder convention did. */
  via: 'index' | 'folder';
  /** Absolute path of the spec index that was used, if any. */
  indexFile: string | null;
  /** How the file was found, e.g. "index path X does not exist; found by folder". */
  notes: string[];
}

export interface SpecListing {
  specId: string;
  specFile: string;
  category: string | null;
}

export type NetworkDecision = { allowed: true } | { allowed: false; message: string; hint: string };

export interface RunDir {
  /** Absolute path of the new, empty run folder. */
  dir: string;
  /** The run id actually used (`<runId>-2`... after a collision). */
  runId: string;
}
