import { open } from 'node:fs/promises';
import { UserError } from '../common/errors.js';

export { DEFAULT_MAX_SPEC_BYTES } from '../workspace/settings.js';

/**
 * Reads a spec as UTF-8, refusing one larger than `maxBytes` before reading it (exit 2 with the file and the
 * limit), so that a huge or runaway file never costs minutes of CPU or hundreds of MB.
 */
export async function readSpecText(file: string, display: string, maxBytes: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tooLarge = (bytes: string) =>
      new UserError(
        'config',
        `${display} is ${bytes} bytes, more than the limit of ${maxBytes} bytes for a spec`,
        {
          location: { file: display },
          field: 'safety.content_limits.max_spec_bytes',
          hint:
            'split the spec, or raise the limit in .spec/smartspec.config.yaml: ' +
            `safety: { content_limits: { max_spec_bytes: ${Math.max(size, maxBytes) * 2} } }`,
        },
      );
    if (size > maxBytes) throw tooLarge(String(size));
    // The file may grow between stat and read: read at most one byte more than allowed.
    const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) throw tooLarge(`more than ${maxBytes}`);
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    await handle.close();
  }
}
