import { UserError } from '../common/errors.js';
import { hasControlChars, quoteForMessage } from './paths.js';
import type { SmartSpecSettings } from './types.js';

/** Why an id could be used to build a path that leaves its folder; null when it cannot. */
export function unsafeSpecIdReason(specId: string): string | null {
  if (specId === '') return 'it is empty';
  if (specId === '.') return 'it is "."';
  if (hasControlChars(specId)) return 'it contains control characters';
  if (specId.includes('/') || specId.includes('\\')) return 'it contains a path separator';
  if (specId.includes('..')) return 'it contains ".."';
  return null;
}

/**
 * Throws UserError('usage') unless `specId` is a plain name that matches `safety.spec_id_regex`
 * (case-insensitively). Runs before any path is built from the id.
 */
export function validateSpecId(
  specId: string,
  settings: Pick<SmartSpecSettings, 'specIdRegex' | 'specIdRegexSource'>,
): void {
  const unsafe = unsafeSpecIdReason(specId);
  const regex = new RegExp(settings.specIdRegex.source, settings.specIdRegex.flags.replace(/[gy]/g, ''));
  const reason = unsafe ?? (regex.test(specId) ? null : `it does not match ${settings.specIdRegexSource}`);
  if (reason === null) return;
  throw new UserError('usage', `invalid spec-id ${quoteForMessage(specId)}: ${reason}`, {
    field: 'spec-id',
    hint:
      `a spec-id is the name of a spec folder under specs/ (e.g. spec-core-001-authentication) and must match ` +
      `${settings.specIdRegexSource} (letters compared case-insensitively); the pattern is safety.spec_id_regex ` +
      `in .spec/smartspec.config.yaml`,
  });
}
