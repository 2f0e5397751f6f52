import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseObservabilityConfig } from '../../src/config/index.js';
import { diagnosticFor, PROMETHEUS_HEAD } from './support.js';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli');

describe('config validation on zod/mini', () => {
  it("gives zod's own messages in English (zod/mini sets no locale by itself)", () => {
    const result = parseObservabilityConfig(
      `${PROMETHEUS_HEAD}tls:\n  ca_file: ""\nreports:\n  formats: []\nmetrics: [{ name: a, query: up }]\n`,
      'obs.yaml',
      {},
    );
    expect(result.config).toBeNull();
    expect(diagnosticFor(result, 'tls.ca_file')).toMatchObject({
      line: 4,
      message: 'Too small: expected string to have >=1 characters',
    });
    expect(diagnosticFor(result, 'reports.formats')).toMatchObject({
      line: 6,
      message: 'Too small: expected array to have >=1 items',
    });
  });

  it('leaves zod classic, every other locale and the JSON Schema generator out of the built CLI (dist/cli, built by the global set-up)', async () => {
    const names = (await readdir(DIST)).filter((name) => name.endsWith('.js'));
    const chunks = await Promise.all(names.map((name) => readFile(path.join(DIST, name), 'utf8')));
    // esbuild heads each bundled module with a `// <path>` comment.
    const zodModules = [
      ...new Set(chunks.flatMap((text) => text.match(/^\/\/ node_modules\/zod\/\S+$/gm) ?? [])),
    ];
    expect(zodModules.filter((module) => module.includes('/classic/'))).toEqual([]);
    expect(zodModules.filter((module) => module.includes('/locales/'))).toEqual([
      '// node_modules/zod/v4/locales/en.js',
    ]);
    expect(zodModules.filter((module) => module.includes('json-schema'))).toEqual([]);
    const config = chunks.filter((text) => text.includes('// src/config/schema.ts'));
    expect(config).toHaveLength(1);
    expect(config[0]).toContain('// node_modules/zod/v4/mini/schemas.js');
  });
});
