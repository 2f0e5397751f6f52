import type { ObservabilityFile } from './schema.js';
import type { FieldPath } from './yaml-source.js';

/**
 * Keys that configure the whole daemon process (one listener, one database) rather than one spec. When
 * several specs' files are read, the daemon needs to know which of them a file really writes, since the
 * normalized config fills in defaults (see src/daemon/settings.ts).
 */
export const PROCESS_SETTING_KEYS = [
  'server.enabled',
  'server.listen',
  'server.token',
  'server.allow_unauthenticated',
  'server.allowed_hosts',
  'storage.path',
  'storage.retention',
] as const;

export type ProcessSettingKey = (typeof PROCESS_SETTING_KEYS)[number];

/** The process-wide keys written in a file, each with the line it is written on. */
export function writtenProcessKeys(
  file: ObservabilityFile,
  lineOf: (path: FieldPath) => number,
): Partial<Record<ProcessSettingKey, number>> {
  const written: Partial<Record<ProcessSettingKey, number>> = {};
  for (const key of PROCESS_SETTING_KEYS) {
    const [block, name] = key.split('.') as ['server' | 'storage', string];
    const section = file[block] as Record<string, unknown> | undefined;
    if (section && Object.hasOwn(section, name) && section[name] !== undefined) {
      written[key] = lineOf([block, name]);
    }
  }
  return written;
}
