import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../src/spec/document.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The development corpus sits beside the checkout (in CI too); see scripts/nfr-score.mjs. */
const CORPUS = path.resolve(PROJECT_ROOT, '../shared/testing/nfr-corpus');
const present = existsSync(path.join(CORPUS, 'score.mjs')) && existsSync(path.join(CORPUS, 'specs'));

describe.skipIf(!present)(
  `NFR corpus score${present ? '' : ' (skipped: no corpus at ../shared/testing/nfr-corpus beside the checkout)'}`,
  () => {
    it('the document reader keeps recall and precision at 95 % or more on the development set', () => {
      const extracted: Record<string, unknown[]> = {};
      const specsRoot = path.join(CORPUS, 'specs');
      for (const category of readdirSync(specsRoot)) {
        for (const specId of readdirSync(path.join(specsRoot, category))) {
          const markdown = readFileSync(path.join(specsRoot, category, specId, 'spec.md'), 'utf8');
          extracted[specId] = readDocument(markdown).targets.map((t) => ({
            line: t.line,
            comparator: t.comparator,
            value: t.value,
            unit: t.unit,
            percentile: t.percentile,
          }));
        }
      }
      const work = mkdtempSync(path.join(os.tmpdir(), 'nfr-score-test-'));
      try {
        const input = path.join(work, 'extracted.json');
        writeFileSync(input, JSON.stringify(extracted));
        const output = execFileSync(process.execPath, [path.join(CORPUS, 'score.mjs'), input, '--json'], {
          encoding: 'utf8',
        });
        const { total } = JSON.parse(output) as { total: { recall: number; precision: number } };
        expect(total.recall).toBeGreaterThanOrEqual(0.95);
        expect(total.precision).toBeGreaterThanOrEqual(0.95);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  },
);
