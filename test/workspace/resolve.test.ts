import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import {
  defaultSmartSpecSettings,
  listSpecs,
  resolveSpec,
  type SmartSpecSettings,
} from '../../src/workspace/index.js';
import { fixture, tempDir, thrown, useTempDirs, writeTree } from './support.js';

useTempDirs();

const settings = defaultSmartSpecSettings();
const legacyIndex = fs.readFileSync(fixture('SmartSpec-legacy.SPEC_INDEX.golden.json'), 'utf8');
const proIndex = fs.readFileSync(fixture('SmartSpecPro.SPEC_INDEX.golden.json'), 'utf8');

function notFound(root: string, specId: string, with_: SmartSpecSettings = settings): UserError {
  const error = thrown(() => resolveSpec(root, specId, with_));
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe('spec_not_found');
  return error as UserError;
}

function index(specs: unknown[]): string {
  return JSON.stringify({ version: '1.0.0', specs });
}

/** The legacy SmartSpec index (folder paths), where it lived: `.smartspec/SPEC_INDEX.json`. */
function legacyWorkspace(): string {
  const root = tempDir('legacy-');
  writeTree(root, {
    '.smartspec/SPEC_INDEX.json': legacyIndex,
    'specs/infrastructure/spec-000-infrastructure/spec.md': '# infra\n',
    'specs/feature/spec-002-user-management/spec.md': '# users\n',
    'specs/ui/spec-ui-component-library/spec.md': '# ui\n',
  });
  return root;
}

/** SmartSpecPro: uppercase ids, broken paths (`spec.md.md`, `SPEC-008-TESTING.md`), stale folders. */
function proWorkspace(): string {
  const root = tempDir('pro-');
  writeTree(root, {
    '.spec/SPEC_INDEX.json': proIndex,
    'specs/feature/SPEC-001-PROJECT-OVERVIEW/spec.md': '# overview\n',
    'specs/feature/SPEC-002-BACKEND-API/spec.md': '# backend\n',
    'specs/feature/spec-008-testing/spec.md': '# testing\n',
    'specs/feature/001-workflow-scripts/spec.md': '# scripts\n',
  });
  return root;
}

describe('the legacy SmartSpec index (folder paths)', () => {
  it('is found by the fallback order and resolves a folder path to its spec.md', () => {
    const root = legacyWorkspace();
    const spec = resolveSpec(root, 'spec-000-infrastructure', settings);
    expect(spec).toEqual({
      specId: 'spec-000-infrastructure',
      specFile: path.join(root, 'specs/infrastructure/spec-000-infrastructure/spec.md'),
      specDir: path.join(root, 'specs/infrastructure/spec-000-infrastructure'),
      category: 'infrastructure',
      via: 'index',
      indexFile: path.join(root, '.smartspec/SPEC_INDEX.json'),
      notes: [],
    });
  });

  it('matches the id case-insensitively and returns the index spelling', () => {
    const root = legacyWorkspace();
    const spec = resolveSpec(root, 'SPEC-002-User-Management', settings);
    expect(spec.specId).toBe('spec-002-user-management');
    expect(spec.category).toBe('feature');
    expect(fs.readFileSync(spec.specFile, 'utf8')).toBe('# users\n');
  });

  it('names every place it looked when an entry has no folder, and suggests close ids', () => {
    const root = legacyWorkspace();
    const error = notFound(root, 'spec-008-analytics');
    expect(error.message).toBe(
      'spec "spec-008-analytics" not found; looked in: .spec/SPEC_INDEX.json (not found), ' +
        'SPEC_INDEX.json (not found), .smartspec/SPEC_INDEX.json (entry unresolved), ' +
        'specs/feature/spec-008-analytics/spec.md, ' +
        'specs/*/spec-008-analytics/spec.md, specs/spec-008-analytics/spec.md',
    );
    expect(error.details).toContain('index path specs/feature/spec-008-analytics/spec.md does not exist');
    expect(error.hint).toMatch(/^closest existing spec-ids: /);
    const suggested = (error.hint ?? '').replace('closest existing spec-ids: ', '').split(', ');
    expect(suggested.length).toBe(3);
    const knownIds = JSON.parse(legacyIndex).specs.map((entry: { id: string }) => entry.id);
    for (const id of suggested) expect(knownIds).toContain(id);
  });

  it('suggests the id a typo was meant to be first', () => {
    const root = legacyWorkspace();
    expect(notFound(root, 'spec-000-infrastrucutre').hint).toMatch(
      /^closest existing spec-ids: spec-000-infrastructure/,
    );
    expect(notFound(root, 'spec-ui-component').hint).toMatch(
      /^closest existing spec-ids: spec-ui-component-library/,
    );
  });
});

describe('the SmartSpecPro index (uppercase ids, broken paths)', () => {
  it('uses a correct file path', () => {
    const root = proWorkspace();
    const spec = resolveSpec(root, 'spec-001-project-overview', settings);
    expect(spec.specId).toBe('SPEC-001-PROJECT-OVERVIEW');
    expect(spec.via).toBe('index');
    expect(spec.specFile).toBe(path.join(root, 'specs/feature/SPEC-001-PROJECT-OVERVIEW/spec.md'));
    expect(spec.indexFile).toBe(path.join(root, '.spec/SPEC_INDEX.json'));
  });

  it('falls back to the folder when the path is spec.md.md, saying so', () => {
    const root = proWorkspace();
    const spec = resolveSpec(root, 'SPEC-002-BACKEND-API', settings);
    expect(spec.via).toBe('folder');
    expect(spec.specId).toBe('SPEC-002-BACKEND-API');
    expect(spec.category).toBe('feature');
    expect(spec.specFile).toBe(path.join(root, 'specs/feature/SPEC-002-BACKEND-API/spec.md'));
    expect(spec.notes).toEqual([
      'index path specs/feature/SPEC-002-BACKEND-API/spec.md.md does not exist; ' +
        'found by folder at specs/feature/SPEC-002-BACKEND-API/spec.md',
    ]);
  });

  it('falls back to a folder spelled in another case when the path names SPEC-008-TESTING.md', () => {
    const root = proWorkspace();
    const spec = resolveSpec(root, 'SPEC-008-TESTING', settings);
    expect(spec.specFile).toBe(path.join(root, 'specs/feature/spec-008-testing/spec.md'));
    expect(spec.specId).toBe('SPEC-008-TESTING');
    expect(spec.notes[0]).toContain('specs/feature/SPEC-008-TESTING/SPEC-008-TESTING.md does not exist');
  });

  it('uses a path naming another .md file when that file exists', () => {
    const root = proWorkspace();
    writeTree(root, { 'specs/feature/SPEC-008-TESTING/SPEC-008-TESTING.md': '# named file\n' });
    const spec = resolveSpec(root, 'SPEC-008-TESTING', settings);
    expect(spec.via).toBe('index');
    expect(spec.specFile).toBe(path.join(root, 'specs/feature/SPEC-008-TESTING/SPEC-008-TESTING.md'));
  });

  it('finds a spec the stale index does not list, by folder', () => {
    const root = proWorkspace();
    const spec = resolveSpec(root, '001-workflow-scripts', settings);
    expect(spec).toMatchObject({ specId: '001-workflow-scripts', category: 'feature', via: 'folder' });
    expect(spec.notes).toEqual(['not listed in .spec/SPEC_INDEX.json; found by folder']);
  });

  it('lists the index specs that resolve plus the folders, once each, sorted', () => {
    const root = proWorkspace();
    const listed = listSpecs(root, settings);
    expect(listed).toEqual([
      {
        specId: '001-workflow-scripts',
        specFile: path.join(root, 'specs/feature/001-workflow-scripts/spec.md'),
        category: 'feature',
      },
      {
        specId: 'SPEC-001-PROJECT-OVERVIEW',
        specFile: path.join(root, 'specs/feature/SPEC-001-PROJECT-OVERVIEW/spec.md'),
        category: 'feature',
      },
      {
        specId: 'SPEC-002-BACKEND-API',
        specFile: path.join(root, 'specs/feature/SPEC-002-BACKEND-API/spec.md'),
        category: 'feature',
      },
      {
        specId: 'SPEC-008-TESTING',
        specFile: path.join(root, 'specs/feature/spec-008-testing/spec.md'),
        category: 'feature',
      },
    ]);
  });
});

describe('index discovery', () => {
  it('prefers registries.spec_index, and notes when it is missing', () => {
    const root = tempDir();
    writeTree(root, {
      '.spec/custom/INDEX.json': index([{ id: 'spec-a-001', path: 'specs/x/spec-a-001' }]),
      '.spec/SPEC_INDEX.json': index([{ id: 'spec-a-001', path: 'specs/y/spec-a-001' }]),
      'specs/x/spec-a-001/spec.md': 'x',
      'specs/y/spec-a-001/spec.md': 'y',
    });
    const configured = { ...settings, specIndexPath: '.spec/custom/INDEX.json' };
    expect(resolveSpec(root, 'spec-a-001', configured).specFile).toBe(
      path.join(root, 'specs/x/spec-a-001/spec.md'),
    );
    const missing = { ...settings, specIndexPath: '.spec/nope.json' };
    const spec = resolveSpec(root, 'spec-a-001', missing);
    expect(spec.specFile).toBe(path.join(root, 'specs/y/spec-a-001/spec.md'));
    expect(spec.notes).toContain(
      'configured spec index .spec/nope.json (registries.spec_index) does not exist',
    );
  });

  it('skips a broken JSON index with a note and uses the next one', () => {
    const root = tempDir();
    writeTree(root, {
      '.spec/SPEC_INDEX.json': '{ "specs": [ { "id": "spec-a-001", ',
      'SPEC_INDEX.json': index([{ id: 'spec-a-001', path: 'specs/core/spec-a-001/spec.md' }]),
      'specs/core/spec-a-001/spec.md': 'a',
    });
    const spec = resolveSpec(root, 'spec-a-001', settings);
    expect(spec.via).toBe('index');
    expect(spec.indexFile).toBe(path.join(root, 'SPEC_INDEX.json'));
    expect(spec.notes[0]).toMatch(/^spec index \.spec\/SPEC_INDEX\.json is not valid JSON \(.+\); ignored$/);
  });

  it('with only a broken index, still finds folders, and the not-found error says why', () => {
    const root = tempDir();
    writeTree(root, { '.spec/SPEC_INDEX.json': 'not json', 'specs/core/spec-b-002/spec.md': 'b' });
    expect(resolveSpec(root, 'spec-b-002', settings)).toMatchObject({
      via: 'folder',
      category: 'core',
      indexFile: null,
    });
    const error = notFound(root, 'spec-b-003');
    expect(error.message).toContain('.spec/SPEC_INDEX.json (not valid JSON)');
    expect(error.details[0]).toMatch(/is not valid JSON/);
    expect(error.hint).toBe('closest existing spec-ids: spec-b-002');
  });

  it('an index without a specs list is ignored, an empty one is used', () => {
    const root = tempDir();
    writeTree(root, {
      '.spec/SPEC_INDEX.json': '{"version": "6.3.5"}',
      'SPEC_INDEX.json': '{"specs": []}',
      'specs/spec-flat-001/spec.md': 'flat',
    });
    const spec = resolveSpec(root, 'spec-flat-001', settings);
    expect(spec).toMatchObject({
      via: 'folder',
      category: null,
      indexFile: path.join(root, 'SPEC_INDEX.json'),
    });
    expect(spec.notes).toContain('spec index .spec/SPEC_INDEX.json has no "specs" list; ignored');
  });

  it('without any index or spec, says where it looked and how a spec is laid out', () => {
    const root = tempDir();
    const error = notFound(root, 'spec-none-001');
    expect(error.message).toBe(
      'spec "spec-none-001" not found; looked in: .spec/SPEC_INDEX.json (not found), SPEC_INDEX.json (not found), ' +
        '.smartspec/SPEC_INDEX.json (not found), specs/SPEC_INDEX.json (not found), ' +
        'specs/*/spec-none-001/spec.md, specs/spec-none-001/spec.md',
    );
    expect(error.hint).toContain('specs/<category>/<spec-id>/spec.md');
  });
});

describe('safety: nothing outside the root is read', () => {
  it.each(['../../etc', '..%2f..%2fetc', '/etc/passwd', '..\\..\\etc', 'spec\u0000x'])(
    'refuses the id %j as usage before any lookup',
    (specId) => {
      const root = legacyWorkspace();
      const error = thrown(() => resolveSpec(root, specId, settings));
      expect((error as UserError).code).toBe('usage');
    },
  );

  /** A root inside a parent that also holds files the index tries to reach. */
  function rootWithOutside(): { root: string; outside: string } {
    const parent = tempDir('escape-');
    const root = path.join(parent, 'project');
    const outside = path.join(parent, 'outside');
    writeTree(outside, { 'spec.md': '# SECRET outside\n', 'spec-evil-001/spec.md': '# SECRET outside\n' });
    fs.mkdirSync(root);
    return { root, outside };
  }

  it('skips index entries whose path is absolute or climbs out, and says so', () => {
    const { root } = rootWithOutside();
    writeTree(root, {
      '.spec/SPEC_INDEX.json': index([
        { id: 'spec-evil-001', path: '/etc/passwd' },
        { id: 'spec-evil-002', path: '../outside/spec.md' },
        { id: 'spec-evil-003', path: 'specs/../../outside/spec.md' },
      ]),
    });
    const absolute = notFound(root, 'spec-evil-001');
    expect(absolute.message).toContain('a path was skipped because it is unsafe');
    expect(absolute.details).toContain('index entry spec-evil-001: path "/etc/passwd" is absolute; skipped');
    const climbing = notFound(root, 'spec-evil-002');
    expect(climbing.details).toContain(
      'index entry spec-evil-002: path "../outside/spec.md" climbs out of the workspace root with ".."; skipped',
    );
    expect(notFound(root, 'spec-evil-003').details[0]).toContain('climbs out');
    expect(listSpecs(root, settings)).toEqual([]);
  });

  it('still finds the spec by folder when an unsafe entry has a safe folder', () => {
    const { root } = rootWithOutside();
    writeTree(root, {
      '.spec/SPEC_INDEX.json': index([{ id: 'spec-evil-002', category: 'core', path: '../outside/spec.md' }]),
      'specs/core/spec-evil-002/spec.md': '# inside\n',
    });
    const spec = resolveSpec(root, 'spec-evil-002', settings);
    expect(fs.readFileSync(spec.specFile, 'utf8')).toBe('# inside\n');
    expect(spec.notes[0]).toContain('climbs out of the workspace root');
  });

  it('refuses a symlinked spec folder that points outside', () => {
    const { root, outside } = rootWithOutside();
    fs.mkdirSync(path.join(root, 'specs/core'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'spec-evil-001'), path.join(root, 'specs/core/spec-evil-001'));
    const error = notFound(root, 'spec-evil-001');
    expect(error.details).toContain(
      'specs/core/spec-evil-001/spec.md leads outside the workspace root (symlink); skipped',
    );
    expect(error.message).toContain('unsafe');
    expect(listSpecs(root, settings)).toEqual([]);
  });

  it('refuses an index entry and an index file that lead outside through symlinks', () => {
    const { root, outside } = rootWithOutside();
    writeTree(outside, {
      'SPEC_INDEX.json': index([{ id: 'spec-evil-001', path: 'specs/core/spec-evil-001' }]),
    });
    writeTree(root, {
      'SPEC_INDEX.json': index([{ id: 'spec-evil-001', path: 'specs/link/spec-evil-001' }]),
    });
    fs.mkdirSync(path.join(root, '.spec'));
    fs.symlinkSync(path.join(outside, 'SPEC_INDEX.json'), path.join(root, '.spec/SPEC_INDEX.json'));
    fs.mkdirSync(path.join(root, 'specs'));
    fs.symlinkSync(outside, path.join(root, 'specs/link'));
    const error = notFound(root, 'spec-evil-001');
    expect(error.message).toContain('.spec/SPEC_INDEX.json (leads outside the workspace root)');
    expect(error.details).toContain(
      'spec index .spec/SPEC_INDEX.json is a symlink leading outside the workspace root; ignored',
    );
    expect(error.details).toContain(
      'index entry spec-evil-001: path specs/link/spec-evil-001 leads outside the workspace root (symlink); skipped',
    );
    expect(error.details).toContain(
      'specs/link is a symlink leading outside the workspace root; not searched',
    );
    expect(listSpecs(root, settings)).toEqual([]);
  });

  it('follows symlinks that stay inside, and reports paths under the root as given', () => {
    const real = tempDir('real-');
    writeTree(real, { 'docs/specs/spec-core-001-auth/spec.md': '# auth\n' });
    fs.mkdirSync(path.join(real, 'specs/core'), { recursive: true });
    fs.symlinkSync(
      path.join(real, 'docs/specs/spec-core-001-auth'),
      path.join(real, 'specs/core/spec-core-001-auth'),
    );
    const linkParent = tempDir('link-');
    const root = path.join(linkParent, 'root-link');
    fs.symlinkSync(real, root);
    const spec = resolveSpec(root, 'spec-core-001-auth', settings);
    expect(spec.specFile).toBe(path.join(root, 'docs/specs/spec-core-001-auth/spec.md'));
    expect(spec.category).toBe('core');
    expect(listSpecs(root, settings).map((item) => item.specId)).toEqual(['spec-core-001-auth']);
  });
});

describe('listSpecs', () => {
  it('unites the index and the folders, without duplicates, and skips unsafe entries', () => {
    const root = legacyWorkspace();
    writeTree(root, {
      'specs/core/spec-core-001-authentication/spec.md': 'a',
      'specs/spec-flat-002/spec.md': 'b',
      'specs/spec.md': 'no id',
      'specs/core/notes/readme.md': 'not a spec',
    });
    expect(listSpecs(root, settings).map((item) => [item.specId, item.category])).toEqual([
      ['spec-000-infrastructure', 'infrastructure'],
      ['spec-002-user-management', 'feature'],
      ['spec-core-001-authentication', 'core'],
      ['spec-flat-002', null],
      ['spec-ui-component-library', 'ui'],
    ]);
  });

  it('is bounded: depth 4 under specs/ and max_files_scanned entries', () => {
    const root = tempDir();
    writeTree(root, {
      'specs/a/b/c/spec-deep-004/spec.md': 'depth 4',
      'specs/a/b/c/d/spec-deep-005/spec.md': 'depth 5',
    });
    expect(listSpecs(root, settings).map((item) => item.specId)).toEqual(['spec-deep-004']);

    const wide = tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 30; i++) files[`specs/core/spec-w-${String(i).padStart(3, '0')}/spec.md`] = 'w';
    writeTree(wide, files);
    expect(listSpecs(wide, settings)).toHaveLength(30);
    expect(listSpecs(wide, { ...settings, maxFilesScanned: 10 }).length).toBeLessThan(10);
  });
});
