import fs from 'node:fs';
import path from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import { UserError } from '../common/errors.js';
import {
  ALIAS_BOMB_HINT,
  ALIAS_BOMB_MESSAGE,
  DEFAULT_MAX_CONFIG_BYTES,
  toPlainValue,
} from '../common/yaml-limits.js';
import { checkRelativePath, isInside, quoteForMessage, toPosix } from './paths.js';
import { compilePattern, matchesEmpty } from './patterns.js';
import type { LoadedSmartSpecSettings, SmartSpecSettings } from './types.js';

export const SMARTSPEC_CONFIG_PATH = '.spec/smartspec.config.yaml';
export const DEFAULT_SPEC_ID_REGEX = '^[a-z0-9_\\-]{3,64}$';

/** `safety.redaction.patterns` of the upstream SmartSpec v6 config, verbatim. */
export const DEFAULT_REDACTION_PATTERNS: readonly { name: string; regex: string }[] = [
  { name: 'AWS Access Key ID', regex: '(?i)(AKIA|ASIA)[0-9A-Z]{16}' },
  { name: 'AWS Secret Access Key', regex: `(?i)aws_secret_access_key *[:=] *['"]?[A-Za-z0-9/+=]{40}['"]?` },
  { name: 'GitHub Token', regex: 'gh[pousr]_[A-Za-z0-9]{20,}' },
  { name: 'Slack Token', regex: 'xox[baprs]-[A-Za-z0-9-]{10,}' },
  { name: 'Generic Bearer Token', regex: '(?i)Bearer +[A-Za-z0-9._-]{20,}' },
  { name: 'Private key header', regex: '-----BEGIN (RSA|EC|OPENSSH|PRIVATE) KEY-----' },
];

export const DEFAULT_ALLOW_WRITES_ONLY_UNDER: readonly string[] = [
  'specs',
  '.spec',
  '.spec/reports',
  '.smartspec/prompts',
  '.smartspec/generated-scripts',
  '.smartspec/cache',
  '.smartspec/logs',
];

const DEFAULT_MAX_FILES_SCANNED = 20_000;
const DEFAULT_MAX_EXCERPT_CHARS = 2_000;
/** Largest spec.md read (1 MB; a dense spec of that size reads in a few seconds and a few hundred MB). */
export const DEFAULT_MAX_SPEC_BYTES = 1_000_000;

function compileRequired(source: string, flags: string): RegExp {
  const compiled = compilePattern(source, flags);
  if (!compiled.ok) throw new Error(`built-in pattern ${source} ${compiled.reason}`);
  return compiled.regex;
}

/** The values of the upstream SmartSpec v6 config (contract §5). */
export function defaultSmartSpecSettings(): SmartSpecSettings {
  return {
    file: null,
    specIdRegex: compileRequired(DEFAULT_SPEC_ID_REGEX, 'i'),
    specIdRegexSource: DEFAULT_SPEC_ID_REGEX,
    reportsRoot: '.spec/reports',
    allowWritesOnlyUnder: [...DEFAULT_ALLOW_WRITES_ONLY_UNDER],
    disallowSymlinkWrites: true,
    networkPolicy: { default: 'deny', allowlistDomains: [] },
    redactionPatterns: DEFAULT_REDACTION_PATTERNS.map((pattern) => ({
      name: pattern.name,
      regex: compileRequired(pattern.regex, 'g'),
    })),
    onCollision: 'new_run_id',
    specIndexPath: null,
    maxFilesScanned: DEFAULT_MAX_FILES_SCANNED,
    maxExcerptChars: DEFAULT_MAX_EXCERPT_CHARS,
    maxFileBytesScanned: DEFAULT_MAX_CONFIG_BYTES,
    maxSpecBytes: DEFAULT_MAX_SPEC_BYTES,
  };
}

type Key = string | number;

/** Reads typed values out of the parsed YAML; every problem becomes one warning with its line. */
class ConfigReader {
  readonly warnings: string[] = [];
  private readonly data: unknown;

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly display: string,
    data: unknown,
  ) {
    this.data = data;
  }

  get(keys: Key[]): unknown {
    let current: unknown = this.data;
    for (const key of keys) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<Key, unknown>)[key];
    }
    return current;
  }

  warn(keys: Key[], problem: string, consequence: string): void {
    const node = this.doc.getIn(keys, true) as { range?: [number, number, number] } | undefined;
    const line = node?.range ? `:${this.lines.linePos(node.range[0]).line}` : '';
    const field = keys
      .map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`))
      .join('')
      .slice(1);
    this.warnings.push(`${this.display}${line}: ${field}: ${problem}; ${consequence}`);
  }

  string(keys: Key[]): string | undefined {
    const value = this.get(keys);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.warn(keys, 'expected a string', 'using the default');
      return undefined;
    }
    return value;
  }

  boolean(keys: Key[]): boolean | undefined {
    const value = this.get(keys);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') {
      this.warn(keys, 'expected true or false', 'using the default');
      return undefined;
    }
    return value;
  }

  positiveInteger(keys: Key[]): number | undefined {
    const value = this.get(keys);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      this.warn(keys, 'expected a positive whole number', 'using the default');
      return undefined;
    }
    return value;
  }

  list(keys: Key[]): unknown[] | undefined {
    const value = this.get(keys);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.warn(keys, 'expected a list', 'using the default');
      return undefined;
    }
    return value;
  }
}

function yamlProblem(doc: Document, lines: LineCounter, display: string): string | null {
  const [first, ...rest] = doc.errors;
  if (!first) return null;
  const pos = lines.linePos(first.pos[0]);
  const more =
    rest.length > 0 ? ` (and ${rest.length} more YAML ${rest.length === 1 ? 'error' : 'errors'})` : '';
  const what = first.message.split('\n')[0]?.trim() ?? first.code;
  return `${display}:${pos.line}:${pos.col}: not valid YAML: ${what}${more}; every SmartSpec setting uses its built-in default`;
}

function readRelativeRoot(reader: ConfigReader, keys: Key[]): string | undefined {
  const raw = reader.string(keys);
  if (raw === undefined) return undefined;
  const checked = checkRelativePath(raw);
  if (!checked.ok) {
    reader.warn(keys, `${quoteForMessage(raw)} ${checked.reason}`, 'using the default');
    return undefined;
  }
  return checked.relative;
}

function readAllowWrites(reader: ConfigReader): string[] | undefined {
  const keys = ['safety', 'allow_writes_only_under'];
  const items = reader.list(keys);
  if (items === undefined) return undefined;
  const roots: string[] = [];
  items.forEach((item, index) => {
    if (typeof item !== 'string') {
      reader.warn([...keys, index], 'expected a folder path', 'entry ignored');
      return;
    }
    const checked = checkRelativePath(item);
    if (!checked.ok) {
      reader.warn([...keys, index], `${quoteForMessage(item)} ${checked.reason}`, 'entry ignored');
      return;
    }
    if (!roots.includes(checked.relative)) roots.push(checked.relative);
  });
  return roots;
}

function readSpecIdRegex(reader: ConfigReader): { regex: RegExp; source: string } | undefined {
  const keys = ['safety', 'spec_id_regex'];
  const source = reader.string(keys);
  if (source === undefined) return undefined;
  const compiled = compilePattern(source, 'i');
  if (!compiled.ok) {
    reader.warn(keys, `${quoteForMessage(source)} ${compiled.reason}`, `using ${DEFAULT_SPEC_ID_REGEX}`);
    return undefined;
  }
  return { regex: compiled.regex, source };
}

function normalizeDomain(entry: string): string {
  return entry.trim().toLowerCase().replace(/\.+$/, '');
}

function readNetworkPolicy(reader: ConfigReader, fallback: SmartSpecSettings['networkPolicy']) {
  const policy = { ...fallback, allowlistDomains: [...fallback.allowlistDomains] };
  const defaultKeys = ['safety', 'network_policy', 'default'];
  const mode = reader.string(defaultKeys);
  if (mode !== undefined) {
    const lowered = mode.trim().toLowerCase();
    if (lowered === 'allow' || lowered === 'deny') policy.default = lowered;
    else reader.warn(defaultKeys, `${quoteForMessage(mode)} is neither allow nor deny`, 'using deny');
  }
  const listKeys = ['safety', 'network_policy', 'allowlist_domains'];
  const items = reader.list(listKeys);
  if (items !== undefined) {
    policy.allowlistDomains = [];
    items.forEach((item, index) => {
      const domain = typeof item === 'string' ? normalizeDomain(item) : '';
      if (domain === '' || domain === '*.' || /[\s/]/.test(domain) || /[\u0000-\u001f]/.test(domain)) {
        reader.warn(
          [...listKeys, index],
          'expected a domain name such as example.com or *.example.com',
          'ignored',
        );
        return;
      }
      if (!policy.allowlistDomains.includes(domain)) policy.allowlistDomains.push(domain);
    });
  }
  return policy;
}

function readRedaction(reader: ConfigReader, defaults: SmartSpecSettings['redactionPatterns']) {
  const enabled = reader.boolean(['safety', 'redaction', 'enabled']);
  const redactSecrets = reader.boolean(['safety', 'redact_secrets']);
  const keys = ['safety', 'redaction', 'patterns'];
  const items = reader.list(keys) ?? [];
  // Configured patterns extend the built-in ones: a project adds formats, it never loses the generic ones.
  const patterns = [...defaults];
  items.forEach((item, index) => {
    const record = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const source = record.regex;
    if (typeof source !== 'string' || source === '') {
      reader.warn([...keys, index], 'expected { name, regex }', 'pattern skipped');
      return;
    }
    const name =
      typeof record.name === 'string' && record.name.trim() !== '' ? record.name : `pattern ${index + 1}`;
    const compiled = compilePattern(source, 'g');
    if (!compiled.ok) {
      reader.warn(
        [...keys, index, 'regex'],
        `${quoteForMessage(name)} ${compiled.reason}`,
        'pattern skipped',
      );
      return;
    }
    if (matchesEmpty(compiled.regex)) {
      reader.warn(
        [...keys, index, 'regex'],
        `${quoteForMessage(name)} matches empty text`,
        'pattern skipped',
      );
      return;
    }
    const duplicate = patterns.some(
      (known) => known.regex.source === compiled.regex.source && known.regex.flags === compiled.regex.flags,
    );
    if (!duplicate) patterns.push({ name, regex: compiled.regex });
  });
  return enabled === false || redactSecrets === false ? [] : patterns;
}

function readOnCollision(reader: ConfigReader): SmartSpecSettings['onCollision'] | undefined {
  const keys = ['safety', 'output_collision', 'on_collision'];
  const value = reader.string(keys);
  if (value === undefined) return undefined;
  const lowered = value.trim().toLowerCase();
  if (lowered === 'new_run_id' || lowered === 'fail') return lowered;
  reader.warn(keys, `${quoteForMessage(value)} is neither new_run_id nor fail`, 'using new_run_id');
  return undefined;
}

/**
 * Pure: the settings from the text of a SmartSpec config. Lenient by design: the file serves many
 * tools (unknown keys are ignored) and the upstream copy is not valid YAML, in which case one
 * warning names the first error and every value keeps its default.
 */
export function parseSmartSpecSettings(text: string, file: string, display: string): LoadedSmartSpecSettings {
  const defaults = defaultSmartSpecSettings();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problem = yamlProblem(doc, lines, display);
  if (problem) return { settings: defaults, warnings: [problem] };

  const plain = toPlainValue(doc);
  if (!plain.ok) {
    // Hostile input, not a template quirk: refuse rather than fall back to defaults.
    throw new UserError('config', ALIAS_BOMB_MESSAGE, {
      location: { file: display, line: lines.linePos(plain.aliasOffset).line },
      hint: ALIAS_BOMB_HINT,
    });
  }
  const reader = new ConfigReader(doc, lines, display, plain.value);
  const top = reader.get([]);
  if (top === null || top === undefined) return { settings: { ...defaults, file }, warnings: [] };
  if (typeof top !== 'object' || Array.isArray(top)) {
    const warning = `${display}:1: the top level is not a mapping of keys; every SmartSpec setting uses its built-in default`;
    return { settings: defaults, warnings: [warning] };
  }

  const specId = readSpecIdRegex(reader);
  const reportsRoot = readRelativeRoot(reader, ['output', 'reports_root']);
  const specIndexPath = readRelativeRoot(reader, ['registries', 'spec_index']);
  const settings: SmartSpecSettings = {
    file,
    specIdRegex: specId?.regex ?? defaults.specIdRegex,
    specIdRegexSource: specId?.source ?? defaults.specIdRegexSource,
    reportsRoot: reportsRoot ?? defaults.reportsRoot,
    allowWritesOnlyUnder: readAllowWrites(reader) ?? defaults.allowWritesOnlyUnder,
    disallowSymlinkWrites:
      reader.boolean(['safety', 'disallow_symlink_writes']) ?? defaults.disallowSymlinkWrites,
    networkPolicy: readNetworkPolicy(reader, defaults.networkPolicy),
    redactionPatterns: readRedaction(reader, defaults.redactionPatterns),
    onCollision: readOnCollision(reader) ?? defaults.onCollision,
    specIndexPath: specIndexPath ?? null,
    maxFilesScanned:
      reader.positiveInteger(['safety', 'content_limits', 'max_files_scanned']) ?? defaults.maxFilesScanned,
    maxExcerptChars:
      reader.positiveInteger(['safety', 'content_limits', 'max_excerpt_chars']) ?? defaults.maxExcerptChars,
    maxFileBytesScanned:
      reader.positiveInteger(['safety', 'content_limits', 'max_file_bytes_scanned']) ??
      defaults.maxFileBytesScanned,
    maxSpecBytes:
      reader.positiveInteger(['safety', 'content_limits', 'max_spec_bytes']) ?? defaults.maxSpecBytes,
  };
  return { settings, warnings: reader.warnings };
}

/**
 * Reads `explicitPath` (`--config`, relative to `root`) when given, else `<root>/.spec/smartspec.config.yaml`
 * when present, else the built-in defaults. A missing explicit file is a UserError ('config').
 */
/**
 * The workspace's own config must really be inside the workspace: it sets the network policy and the
 * write roots, so a symlink (of the file or of `.spec`) that leads out of it is refused, not read.
 * `--config` names a file the user chose and may lie anywhere.
 */
function refuseIfOutside(root: string, file: string, display: string): void {
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(file);
    realRoot = fs.realpathSync(root);
  } catch {
    return; // missing: the open that follows says so
  }
  if (isInside(realRoot, real)) return;
  throw new UserError(
    'unsafe_path',
    `${quoteForMessage(display, 200)} leads outside the workspace root through a symbolic link; it is not read`,
    {
      location: { file: display },
      hint: 'put the SmartSpec config itself inside the workspace, or name the file you trust explicitly with --config <path> (an explicit path may lie anywhere)',
    },
  );
}

export function loadSmartSpecSettings(root: string, explicitPath?: string): LoadedSmartSpecSettings {
  const rootAbsolute = path.resolve(root);
  const explicit = explicitPath !== undefined;
  const file = path.resolve(rootAbsolute, explicitPath ?? SMARTSPEC_CONFIG_PATH);
  const display = isInside(rootAbsolute, file) ? toPosix(path.relative(rootAbsolute, file)) : file;

  let text: string;
  let fd: number | null = null;
  try {
    if (!explicit) refuseIfOutside(rootAbsolute, file, display);
    fd = fs.openSync(file, 'r');
    // The size of the file that was opened; the limit is fixed here, since this file is where limits are set.
    const { size } = fs.fstatSync(fd);
    if (size > DEFAULT_MAX_CONFIG_BYTES) {
      throw new UserError(
        'config',
        `SmartSpec config ${quoteForMessage(display, 200)} is ${size} bytes, over the limit of ${DEFAULT_MAX_CONFIG_BYTES} bytes`,
        {
          location: { file: display },
          hint: 'a SmartSpec config is a few kilobytes; check the --config path',
        },
      );
    }
    text = fs.readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (!explicit && (code === 'ENOENT' || code === 'ENOTDIR')) {
      return { settings: defaultSmartSpecSettings(), warnings: [] };
    }
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`;
    throw new UserError('config', `SmartSpec config ${quoteForMessage(display, 200)} ${why}`, {
      location: { file: display },
      hint: explicit
        ? `check the --config path; without --config, ${SMARTSPEC_CONFIG_PATH} under the workspace root is used when present`
        : `fix the permissions of ${SMARTSPEC_CONFIG_PATH}`,
    });
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  return parseSmartSpecSettings(text, file, display);
}
