import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveReportFile } from '../../src/server/reports.js';
import { tempDir, useTempDirs } from '../support/temp.js';

useTempDirs();

const BASE = '.spec/reports/production-monitoring';

function workspace(): { root: string; base: string; outside: string } {
  const root = tempDir();
  const base = path.join(root, BASE);
  fs.mkdirSync(path.join(base, 'spec-a/daily'), { recursive: true });
  fs.writeFileSync(path.join(base, 'spec-a/daily/2026-11-26.json'), '{}');
  const outside = tempDir();
  fs.writeFileSync(path.join(outside, 'secret.json'), '{"secret":true}');
  return { root, base, outside };
}

describe('resolveReportFile', () => {
  it('gives the real path of a report file under the reports folder', () => {
    const { root, base } = workspace();
    expect(resolveReportFile(root, base, `${BASE}/spec-a/daily/2026-11-26.json`)).toBe(
      path.join(fs.realpathSync(base), 'spec-a/daily/2026-11-26.json'),
    );
  });

  it('refuses a symlink in the reports folder that leads outside it', () => {
    const { root, base, outside } = workspace();
    fs.symlinkSync(path.join(outside, 'secret.json'), path.join(base, 'leak.json'));
    fs.symlinkSync(outside, path.join(base, 'spec-b'));
    expect(resolveReportFile(root, base, `${BASE}/leak.json`)).toBeNull();
    expect(resolveReportFile(root, base, `${BASE}/spec-b/secret.json`)).toBeNull();
  });

  it('refuses hidden parts (the database folder, temp files) and files that are not reports', () => {
    const { root, base } = workspace();
    fs.mkdirSync(path.join(base, '.state'));
    fs.writeFileSync(path.join(base, '.state/x.json'), '{}');
    fs.writeFileSync(path.join(base, 'spec-a/.2026.json.123.tmp.json'), '{}');
    fs.writeFileSync(path.join(base, 'spec-a/notes.txt'), 'x');
    fs.writeFileSync(path.join(root, 'top.json'), '{}');
    expect(resolveReportFile(root, base, `${BASE}/.state/x.json`)).toBeNull();
    expect(resolveReportFile(root, base, `${BASE}/spec-a/.2026.json.123.tmp.json`)).toBeNull();
    expect(resolveReportFile(root, base, `${BASE}/spec-a/notes.txt`)).toBeNull();
    expect(resolveReportFile(root, base, 'top.json')).toBeNull();
    expect(resolveReportFile(root, base, `${BASE}/spec-a/missing.json`)).toBeNull();
  });
});
