import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { statusPageScript } from '../../src/server/page-script.js';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli');

describe('the built status page script (dist/cli, built by the global set-up)', () => {
  it('is compiled in by the build: the built server never compiles the client at run time', async () => {
    const chunks = await readdir(DIST);
    const sources = await Promise.all(
      chunks.filter((name) => name.endsWith('.js')).map((name) => readFile(path.join(DIST, name), 'utf8')),
    );
    const server = sources.filter((text) => text.includes('function statusPageScript'));
    expect(server).toHaveLength(1);
    // The build's define replaced the constant with the script as a string literal.
    expect(server[0]).not.toContain('STATUS_PAGE_CLIENT_BUNDLE');
    expect(server[0]).toContain('// src/server/page/client.ts');
  });

  it('carries the client and the text helpers it uses, not the unit and comparator parsing tables', () => {
    const modules = statusPageScript()
      .match(/^ {2}\/\/ src\/\S+$/gm)
      ?.map((line) => line.trim());
    expect(modules).toEqual(['// src/units/text.ts', '// src/server/page/client.ts']);
  });
});
