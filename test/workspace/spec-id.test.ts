import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { defaultSmartSpecSettings, validateSpecId } from '../../src/workspace/index.js';
import { thrown } from './support.js';

const settings = defaultSmartSpecSettings();

function rejection(specId: string, with_: Parameters<typeof validateSpecId>[1] = settings): UserError {
  const error = thrown(() => validateSpecId(specId, with_));
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('validateSpecId', () => {
  it('accepts canonical ids and the uppercase ids of real indexes', () => {
    for (const id of [
      'spec-core-001-authentication',
      'SPEC-001-PROJECT-OVERVIEW',
      'spec_ui_2',
      '001-workflow-scripts',
    ]) {
      expect(() => validateSpecId(id, settings)).not.toThrow();
    }
  });

  it.each([
    ['../../etc', 'path separator'],
    ['..%2f..%2fetc', '".."'],
    ['..', '".."'],
    ['spec..core', '".."'],
    ['/etc/passwd', 'path separator'],
    ['C:\\Windows', 'path separator'],
    ['spec\u0000core', 'control characters'],
    ['spec\ncore', 'control characters'],
    ['', 'empty'],
    ['.', '"."'],
  ])('refuses %j (%s) before the regex', (id, reason) => {
    const error = rejection(id, { specIdRegex: /.*/s, specIdRegexSource: '.*' });
    expect(error.code).toBe('usage');
    expect(error.message).toContain(reason);
  });

  it('refuses ids outside the regex, quoting the id (sanitised) and the regex, with a hint', () => {
    const error = rejection('ab');
    expect(error.code).toBe('usage');
    expect(error.message).toBe('invalid spec-id "ab": it does not match ^[a-z0-9_\\-]{3,64}$');
    expect(error.hint).toContain('specs/');
    expect(error.hint).toContain('safety.spec_id_regex');
    expect(rejection('x'.repeat(65)).message).toContain('does not match');
    expect(rejection('spec core').message).toContain('"spec core"');
    expect(rejection('a\u0000b').message).toContain('"a\\u0000b"');
    expect(rejection('a'.repeat(500)).message.length).toBeLessThan(200);
  });

  it('uses the regex of the settings, case-insensitively', () => {
    const custom = { specIdRegex: /^feat-\d+$/i, specIdRegexSource: '^feat-\\d+$' };
    expect(() => validateSpecId('FEAT-12', custom)).not.toThrow();
    expect(rejection('spec-core-001', custom).message).toContain('^feat-\\d+$');
  });

  it('never lets an accepted id leave its folder, whatever the regex', () => {
    const permissive = { specIdRegex: /.*/s, specIdRegexSource: '.*' };
    const base = path.resolve('/workspace/specs');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 20 }),
          fc.string({ unit: fc.constantFrom('.', '/', '\\', 'a', 'B', '\u0000', '%'), maxLength: 8 }),
        ),
        (id) => {
          let accepted = true;
          try {
            validateSpecId(id, permissive);
          } catch {
            accepted = false;
          }
          if (!accepted) return;
          const joined = path.join(base, id, 'spec.md');
          expect(path.dirname(path.dirname(joined))).toBe(base);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
