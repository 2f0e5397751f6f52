import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const reportDir = path.resolve(import.meta.dirname, '../../src/report');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('src/report layering', () => {
  it('imports nothing from src/alerting (reports do not depend on alert delivery)', () => {
    const offenders = sourcesUnder(reportDir).filter((file) =>
      /from '(?:\.\.\/)+alerting\//.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((file) => path.relative(reportDir, file))).toEqual([]);
  });
});
