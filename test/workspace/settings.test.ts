import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import {
  DEFAULT_SPEC_ID_REGEX,
  defaultSmartSpecSettings,
  loadSmartSpecSettings,
  parseSmartSpecSettings,
  type SmartSpecSettings,
} from '../../src/workspace/index.js';
import { fixture, tempDir, thrown, useTempDirs, writeTree } from './support.js';

useTempDirs();

/** Settings with regexes turned into comparable text. */
function comparable(settings: SmartSpecSettings) {
  return {
    ...settings,
    specIdRegex: `${settings.specIdRegex.source}/${settings.specIdRegex.flags}`,
    redactionPatterns: settings.redactionPatterns.map((p) => `${p.name}=${p.regex.source}/${p.regex.flags}`),
  };
}

function redact(text: string, settings: SmartSpecSettings): string {
  return settings.redactionPatterns.reduce((acc, pattern) => acc.replace(pattern.regex, '[REDACTED]'), text);
}

describe('where the config is read from', () => {
  it('refuses a workspace config that a symlink leads outside the workspace, and reads it when named', () => {
    const root = tempDir();
    const outside = tempDir();
    writeTree(outside, { 'loose.yaml': 'safety:\n  network_policy:\n    allowlist_domains: ["*"]\n' });
    fs.mkdirSync(path.join(root, '.spec'));
    fs.symlinkSync(path.join(outside, 'loose.yaml'), path.join(root, '.spec/smartspec.config.yaml'));
    const error = thrown(() => loadSmartSpecSettings(root)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('unsafe_path');
    expect(error.message).toBe(
      '".spec/smartspec.config.yaml" leads outside the workspace root through a symbolic link; it is not read',
    );
    expect(loadSmartSpecSettings(root, path.join(outside, 'loose.yaml')).settings.file).toBe(
      path.join(outside, 'loose.yaml'),
    );
  });

  it('refuses one reached through a symlinked .spec folder, and accepts a symlink that stays inside', () => {
    const root = tempDir();
    const outside = tempDir();
    writeTree(outside, { 'smartspec.config.yaml': 'safety: {}\n' });
    fs.symlinkSync(outside, path.join(root, '.spec'));
    expect((thrown(() => loadSmartSpecSettings(root)) as UserError).code).toBe('unsafe_path');
    const inside = tempDir();
    writeTree(inside, { 'shared/smartspec.yaml': 'safety: {}\n' });
    fs.mkdirSync(path.join(inside, '.spec'));
    fs.symlinkSync(
      path.join(inside, 'shared/smartspec.yaml'),
      path.join(inside, '.spec/smartspec.config.yaml'),
    );
    expect(loadSmartSpecSettings(inside).settings.file).toBe(
      path.join(inside, '.spec/smartspec.config.yaml'),
    );
  });
});

describe('defaults', () => {
  it('equal the upstream SmartSpec values when no config exists', () => {
    const root = tempDir();
    const { settings, warnings } = loadSmartSpecSettings(root);
    expect(warnings).toEqual([]);
    expect(settings.file).toBeNull();
    expect(settings.specIdRegexSource).toBe('^[a-z0-9_\\-]{3,64}$');
    expect(settings.specIdRegex.flags).toContain('i');
    expect(settings.reportsRoot).toBe('.spec/reports');
    expect(settings.allowWritesOnlyUnder).toEqual([
      'specs',
      '.spec',
      '.spec/reports',
      '.smartspec/prompts',
      '.smartspec/generated-scripts',
      '.smartspec/cache',
      '.smartspec/logs',
    ]);
    expect(settings.disallowSymlinkWrites).toBe(true);
    expect(settings.networkPolicy).toEqual({ default: 'deny', allowlistDomains: [] });
    expect(settings.onCollision).toBe('new_run_id');
    expect(settings.specIndexPath).toBeNull();
    expect(settings.maxFilesScanned).toBe(20000);
    expect(settings.maxExcerptChars).toBe(2000);
    expect(settings.redactionPatterns.map((p) => p.name)).toEqual([
      'AWS Access Key ID',
      'AWS Secret Access Key',
      'GitHub Token',
      'Slack Token',
      'Generic Bearer Token',
      'Private key header',
    ]);
  });

  it('redaction patterns catch each kind of secret, (?i) becoming the i flag', () => {
    const { redactionPatterns } = defaultSmartSpecSettings();
    expect(redactionPatterns[0]?.regex.flags).toBe('gi');
    expect(redactionPatterns[2]?.regex.flags).toBe('g');
    const settings = defaultSmartSpecSettings();
    const secretKey = 'a'.repeat(40);
    const text = [
      'id akiaABCDEFGHIJKLMNOP and AKIAQRSTUVWXYZ234567',
      `AWS_SECRET_ACCESS_KEY = "${secretKey}"`,
      `token ghp_${'x'.repeat(24)}`,
      'slack xoxb-1234567890-abc',
      `authorization: bearer ${'t'.repeat(30)}`,
      '-----BEGIN OPENSSH KEY-----',
    ].join('\n');
    const out = redact(text, settings);
    expect(out).not.toMatch(/akiaABCD|AKIAQRST|aaaaaaaaaa|ghp_x|xoxb-|tttttttttt|BEGIN OPENSSH/);
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(7);
  });
});

describe('the upstream config (not valid YAML)', () => {
  it('is a byte-exact copy with the two known defects', () => {
    const text = fs.readFileSync(fixture('upstream.smartspec.config.golden.yaml'), 'utf8');
    const lines = text.split('\n');
    expect(lines[83]).toBe('  spec_id_regex: "^[a-z0-9_\\-]{3,64}$"');
    expect(lines[110]).toBe('    $1');
    expect(text.length).toBe(12721);
  });

  it('gives exactly one warning with file, line and problem, then every default', () => {
    const root = tempDir();
    writeTree(root, {
      '.spec/smartspec.config.yaml': fs.readFileSync(
        fixture('upstream.smartspec.config.golden.yaml'),
        'utf8',
      ),
    });
    const { settings, warnings } = loadSmartSpecSettings(root);
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toMatch(/^\.spec\/smartspec\.config\.yaml:84:28: not valid YAML: /);
    expect(warning).toContain('Invalid escape sequence \\-');
    expect(warning).toContain('(and 1 more YAML error)');
    expect(warning).toContain('built-in default');
    expect(comparable(settings)).toEqual(comparable(defaultSmartSpecSettings()));
    expect(settings.file).toBeNull();
  });

  it('also through --config, naming the file as given', () => {
    const root = tempDir();
    const file = fixture('upstream.smartspec.config.golden.yaml');
    const { warnings } = loadSmartSpecSettings(root, file);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.startsWith(`${file}:84:28: not valid YAML`)).toBe(true);
  });

  it('names only the first error when there is one', () => {
    const { warnings } = parseSmartSpecSettings('safety:\n  spec_id_regex: "\\-"\n', '/x.yaml', 'x.yaml');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^x\.yaml:2:\d+: not valid YAML: Invalid escape sequence/);
    expect(warnings[0]).not.toContain('more');
  });
});

describe('a valid config', () => {
  it('changes spec_id_regex, allowlist_domains, allow_writes_only_under and adds a redaction pattern', () => {
    const root = tempDir();
    writeTree(root, {
      '.spec/smartspec.config.yaml': fs.readFileSync(fixture('valid.smartspec.config.yaml'), 'utf8'),
    });
    const { settings, warnings } = loadSmartSpecSettings(root);
    expect(warnings).toEqual([]);
    expect(settings.file).toBe(path.join(root, '.spec/smartspec.config.yaml'));
    expect(settings.specIdRegexSource).toBe('(?i)^spec-[a-z]+-\\d{3}(-[a-z0-9-]+)?$');
    expect(settings.specIdRegex.test('SPEC-CORE-001-Auth')).toBe(true);
    expect(settings.specIdRegex.test('feature-001')).toBe(false);
    expect(settings.allowWritesOnlyUnder).toEqual(['.spec/out', 'build/monitoring', '.smartspec/logs']);
    expect(settings.networkPolicy).toEqual({
      default: 'deny',
      allowlistDomains: ['prometheus.internal.example', '*.datadoghq.eu'],
    });
    expect(settings.reportsRoot).toBe('.spec/out');
    expect(settings.specIndexPath).toBe('.spec/custom/INDEX.json');
    expect(settings.onCollision).toBe('fail');
    expect(settings.maxFilesScanned).toBe(500);
    expect(settings.maxExcerptChars).toBe(300);
    // The six built-in patterns stay; the GitHub one is not duplicated; the Acme one is added.
    expect(settings.redactionPatterns.map((p) => p.name)).toHaveLength(7);
    expect(settings.redactionPatterns[6]?.name).toBe('Acme API key');
    expect(redact(`key=ACME_${'0f'.repeat(16)};`, settings)).toBe('key=[REDACTED];');
  });

  it('reads --config relative to the root', () => {
    const root = tempDir();
    writeTree(root, { 'conf/smartspec.yaml': 'safety:\n  network_policy:\n    default: allow\n' });
    const { settings, warnings } = loadSmartSpecSettings(root, 'conf/smartspec.yaml');
    expect(warnings).toEqual([]);
    expect(settings.networkPolicy.default).toBe('allow');
    expect(settings.file).toBe(path.join(root, 'conf/smartspec.yaml'));
  });

  it('an empty file means the defaults', () => {
    const { settings, warnings } = parseSmartSpecSettings('# nothing\n', '/r/c.yaml', 'c.yaml');
    expect(warnings).toEqual([]);
    expect(settings.file).toBe('/r/c.yaml');
    expect(settings.onCollision).toBe('new_run_id');
  });

  it('turns redaction off when the config disables it', () => {
    const { settings } = parseSmartSpecSettings('safety:\n  redaction:\n    enabled: false\n', '/c', 'c');
    expect(settings.redactionPatterns).toEqual([]);
  });
});

describe('bad values', () => {
  const text = [
    'safety:', // 1
    '  spec_id_regex: "[unclosed"', // 2
    '  allow_writes_only_under:', // 3
    '    - /etc', // 4
    '    - ../elsewhere', // 5
    '    - .spec/reports/', // 6
    '    - 42', // 7
    '  network_policy:', // 8
    '    default: maybe', // 9
    '    allowlist_domains: [Example.COM., "has space", 7]', // 10
    '  redaction:', // 11
    '    patterns:', // 12
    '      - name: broken', // 13
    '        regex: "([a-z]"', // 14
    '      - name: extended', // 15
    '        regex: "(?x) a b"', // 16
    '      - name: everything', // 17
    '        regex: "a*"', // 18
    '      - name: good', // 19
    '        regex: "(?im)^secret=.+$"', // 20
    '  output_collision:', // 21
    '    on_collision: overwrite', // 22
    '  disallow_symlink_writes: "yes"', // 23
    'registries:', // 24
    '  spec_index: /abs/SPEC_INDEX.json', // 25
    'output:', // 26
    '  reports_root: ../reports', // 27
  ].join('\n');

  it('each one warns with its line and falls back, the rest still applies', () => {
    const { settings, warnings } = parseSmartSpecSettings(text, '/root/c.yaml', 'c.yaml');
    const find = (needle: string) => warnings.find((w) => w.includes(needle)) ?? '';
    expect(find('safety.spec_id_regex')).toMatch(
      /^c\.yaml:2: safety\.spec_id_regex: "\[unclosed" does not compile/,
    );
    expect(find('allow_writes_only_under[0]')).toMatch(/^c\.yaml:4: .*"\/etc" is absolute; entry ignored$/);
    expect(find('allow_writes_only_under[1]')).toMatch(/^c\.yaml:5: .*climbs out/);
    expect(find('allow_writes_only_under[3]')).toMatch(/^c\.yaml:7: /);
    expect(find('network_policy.default')).toMatch(
      /^c\.yaml:9: .*"maybe" is neither allow nor deny; using deny$/,
    );
    expect(find('allowlist_domains[1]')).toContain('c.yaml:10:');
    expect(find('allowlist_domains[2]')).toContain('c.yaml:10:');
    expect(find('patterns[0].regex')).toMatch(/^c\.yaml:14: .*"broken" does not compile.*pattern skipped$/);
    expect(find('patterns[1].regex')).toContain('"(?x)" has no JavaScript equivalent');
    expect(find('patterns[2].regex')).toContain('matches empty text');
    expect(find('on_collision')).toMatch(/^c\.yaml:22: /);
    expect(find('disallow_symlink_writes')).toMatch(/^c\.yaml:23: .*expected true or false/);
    expect(find('registries.spec_index')).toMatch(/^c\.yaml:25: .*is absolute/);
    expect(find('output.reports_root')).toMatch(/^c\.yaml:27: .*climbs out/);
    expect(warnings).toHaveLength(14);

    expect(settings.specIdRegexSource).toBe(DEFAULT_SPEC_ID_REGEX);
    expect(settings.allowWritesOnlyUnder).toEqual(['.spec/reports']);
    expect(settings.networkPolicy).toEqual({ default: 'deny', allowlistDomains: ['example.com'] });
    expect(settings.redactionPatterns.map((p) => p.name)).toEqual([
      ...defaultSmartSpecSettings().redactionPatterns.map((p) => p.name),
      'good',
    ]);
    expect(settings.redactionPatterns[6]?.regex.flags).toBe('gim');
    expect(settings.onCollision).toBe('new_run_id');
    expect(settings.disallowSymlinkWrites).toBe(true);
    expect(settings.specIndexPath).toBeNull();
    expect(settings.reportsRoot).toBe('.spec/reports');
  });

  it('a top level that is not a mapping gives one warning and the defaults', () => {
    const { settings, warnings } = parseSmartSpecSettings('- a\n- b\n', '/c', 'c');
    expect(warnings).toEqual([
      'c:1: the top level is not a mapping of keys; every SmartSpec setting uses its built-in default',
    ]);
    expect(settings.file).toBeNull();
  });

  it('a missing --config file is a config error', () => {
    const root = tempDir();
    const error = thrown(() => loadSmartSpecSettings(root, 'nope/smartspec.config.yaml'));
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('config');
    expect((error as UserError).message).toContain('"nope/smartspec.config.yaml" does not exist');
    expect((error as UserError).hint).toContain('--config');
  });

  it('a --config that is a folder is a config error', () => {
    const root = tempDir();
    const error = thrown(() => loadSmartSpecSettings(root, '.'));
    expect((error as UserError).code).toBe('config');
    expect((error as UserError).message).toContain('is a folder');
  });
});
