import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ALIAS_BOMB_HINT, DEFAULT_MAX_CONFIG_BYTES } from '../common/yaml-limits.js';
import { DiagnosticSink, reportSchemaIssues, sortDiagnostics } from './diagnostics.js';
import { resolveEnvReferences } from './env.js';
import { misplacedSloSource, sloSourceRefs } from './import/refs.js';
import { normalizeConfig } from './normalize.js';
import { writtenProcessKeys } from './process-keys.js';
import { MIN_SECRET_LENGTH } from './redact.js';
import { type ObservabilityFile, observabilityFileSchema } from './schema.js';
import type { ConfigDiagnostic, ObservabilityConfig } from './types.js';
import { ALIAS_BOMB_CODE, YamlSource } from './yaml-source.js';

export interface LoadOptions {
  /**
   * Default true. False (offline `validate`): no secret is read; every environment reference becomes
   * `<env:NAME>`, missing variables are still reported as errors, but they alone do not stop the config
   * from being built.
   */
  resolveSecrets?: boolean;
  /** Files larger than this are refused before parsing (`safety.content_limits.max_file_bytes_scanned`). */
  maxBytes?: number;
}

export interface LoadResult {
  /** Null when any blocking error was found. */
  config: ObservabilityConfig | null;
  /** Sorted by line and column. */
  diagnostics: ConfigDiagnostic[];
}

const SYNTAX_HINTS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'each key may appear once in a mapping; remove one of them',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  MULTIPLE_DOCS: 'keep one YAML document per file (remove the extra `---`)',
  MISSING_CHAR: 'close the quote or bracket that was opened',
  BAD_INDENT: 'check the indentation of this line and the one before',
  [ALIAS_BOMB_CODE]: ALIAS_BOMB_HINT,
};

/** Pure: YAML text → config and diagnostics. `file` is only used for messages and relative paths. */
export function parseObservabilityConfig(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv,
  options: LoadOptions = {},
): LoadResult {
  const resolveSecrets = options.resolveSecrets ?? true;
  const misplaced = misplacedSloSource(text);
  if (misplaced) {
    const diagnostic = { severity: 'error' as const, file, line: 1, column: 1, field: '', ...misplaced };
    return { config: null, diagnostics: [diagnostic] };
  }
  const source = new YamlSource(text.replace(/^\uFEFF/, ''));
  const sink = new DiagnosticSink(file, source);
  const done = (config: ObservabilityConfig | null): LoadResult => ({
    config,
    diagnostics: sortDiagnostics(sink.diagnostics),
  });

  for (const problem of source.problems) {
    sink.diagnostics.push({
      severity: problem.severity,
      file,
      line: problem.position.line,
      column: problem.position.column,
      field: '',
      message: `YAML: ${problem.message}`,
      hint: SYNTAX_HINTS[problem.code] ?? null,
    });
  }
  if (sink.hasErrors()) return done(null);

  const tree = source.value ?? {};
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    sink.error([], 'expected a mapping at the top level (`provider:`, `metrics:`, ...)', null);
    return done(null);
  }

  const environment = resolveEnvReferences(tree, env, resolveSecrets);
  let excusedErrors = 0;
  for (const problem of environment.problems) {
    sink.error(problem.path, problem.message, problem.hint);
    if (!resolveSecrets && problem.kind === 'missing-variable') excusedErrors++;
  }
  for (const { path, name } of environment.shortSecrets) {
    sink.warning(
      path,
      `the value of ${name} is shorter than ${MIN_SECRET_LENGTH} characters: too short to be a secret, it is redacted only where it is a whole value, not inside text`,
      'use the real credential; a value this short would blank out ordinary words and numbers if it were redacted everywhere',
    );
  }

  // The schema sees the file as written, where any string may still be a reference.
  const parsed = observabilityFileSchema.safeParse(tree);
  if (!parsed.success) {
    reportSchemaIssues(parsed.error.issues, observabilityFileSchema, tree, sink);
    return done(null);
  }

  const absoluteFile = resolve(file);
  const secretValues = new Set(environment.secretValues);
  const normalized = normalizeConfig(
    {
      sink,
      placeholders: environment.placeholders,
      file: absoluteFile,
      configDir: dirname(absoluteFile),
      secretValues,
    },
    // Same shape as the schema-checked tree: resolution only replaced strings with strings.
    environment.value as ObservabilityFile,
    (path) => source.locate(path).line,
  );
  const blockingErrors =
    sink.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length - excusedErrors;
  if (blockingErrors > 0) return done(null);
  const sloSources = sloSourceRefs(
    (environment.value as ObservabilityFile).slo_sources,
    absoluteFile,
    (path) => source.locate(path),
  );
  const writtenKeys = writtenProcessKeys(
    environment.value as ObservabilityFile,
    (path) => source.locate(path, { key: true }).line,
  );
  return done({
    ...normalized,
    ...sloSources,
    secretValues: [...secretValues],
    writtenProcessKeys: writtenKeys,
  });
}

/** Reads and parses `file`. Never throws for bad input: an unreadable or oversized file is a diagnostic too. */
export function loadObservabilityConfig(
  file: string,
  env: NodeJS.ProcessEnv,
  options: LoadOptions = {},
): LoadResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CONFIG_BYTES;
  const fileProblem = (message: string, hint: string | null): LoadResult => ({
    config: null,
    diagnostics: [{ severity: 'error', file, line: 1, column: 1, field: '', message, hint }],
  });
  let text: string;
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    // The size of the file that was opened, so a swap after the check cannot slip a larger one in.
    const { size } = fstatSync(fd);
    if (size > maxBytes) {
      return fileProblem(
        `the file is ${size} bytes, over the limit of ${maxBytes} bytes`,
        'an observability.yaml is a few kilobytes; check that --obs-config names the right file, or raise `safety.content_limits.max_file_bytes_scanned` in .spec/smartspec.config.yaml',
      );
    }
    text = readFileSync(fd, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return fileProblem(
      `cannot read the file (${code})`,
      code === 'ENOENT' ? 'check the path given to --obs-config' : null,
    );
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return parseObservabilityConfig(text, file, env, options);
}
