import { randomBytes } from 'node:crypto';
import { access, link, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../common/errors.js';
import { makeWritableDir, type WriteScope } from '../../workspace/write-scope.js';
import type { AlertPayload, DeliveryResult, Receiver } from '../types.js';

export const FILE_RECEIVER_NAME = 'file';

/** `20261127T040000.123Z`: sortable, no characters that file systems dislike. */
function compactUtc(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '');
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100);
}

/** `<UTC timestamp>-<metric>-<event>.json`; no-data alerts add `no_data` before the event. */
export function alertFileName(payload: AlertPayload, at: Date, attempt = 0): string {
  const kind = payload.kind === 'no_data' ? '-no_data' : '';
  const counter = attempt > 0 ? `-${attempt + 1}` : '';
  return `${compactUtc(at)}-${safeName(payload.metric)}${kind}-${payload.event}${counter}.json`;
}

/**
 * Always-on copy of every alert inside the monitor's own reports folder. Writes are atomic (temp file,
 * then a hard link that fails instead of replacing) and never overwrite an earlier alert. The folder
 * is checked against the write scope at every delivery: one that became a symlink is refused.
 */
export function createFileReceiver(dir: string, options: { scope: WriteScope; now?: () => Date }): Receiver {
  const now = options.now ?? (() => new Date());
  return {
    name: FILE_RECEIVER_NAME,
    type: 'file',
    async deliver(payload: AlertPayload): Promise<DeliveryResult> {
      const at = now();
      const temp = join(dir, `.alert-${randomBytes(6).toString('hex')}.tmp`);
      try {
        await makeWritableDir(options.scope, dir);
        await writeFile(temp, `${JSON.stringify(payload, null, 2)}\n`, { flag: 'wx' });
        for (let attempt = 0; attempt < 1000; attempt++) {
          const name = alertFileName(payload, at, attempt);
          const target = join(dir, name);
          try {
            await link(temp, target);
            return { ok: true, detail: name };
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'EEXIST') continue;
            if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
            // A file system without hard links: rename, after checking the name is free.
            if (await exists(target)) continue;
            await rename(temp, target);
            return { ok: true, detail: name };
          }
        }
        return { ok: false, permanent: false, error: 'too many alert files with the same name' };
      } catch (error) {
        // An unsafe folder does not fix itself either; the message names the path, never a secret.
        if (error instanceof UserError) return { ok: false, permanent: true, error: error.message };
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        // Permissions and a file where the folder should be do not fix themselves.
        const permanent = code === 'EACCES' || code === 'EPERM' || code === 'ENOTDIR' || code === 'EROFS';
        return { ok: false, permanent, error: `could not write the alert file (${code})` };
      } finally {
        await rm(temp, { force: true }).catch(() => undefined);
      }
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
