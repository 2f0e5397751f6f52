import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/common/errors.js';
import { parseNfrs } from '../../src/spec/index.js';
import { isNfrHeading } from '../../src/spec/meaning.js';
import { readSpecText } from '../../src/spec/source.js';
import { limitNesting, MAX_NESTING } from '../../src/spec/text.js';

const TABLE =
  '## Non-Functional Requirements\n\n| Metric | Target |\n|---|---|\n| p99 latency | < 200ms |\n\n';

describe('limitNesting', () => {
  it('keeps MAX_NESTING markers of a deeper line and its text', () => {
    const { text, cappedLines } = limitNesting(`a\n${'> '.repeat(100)}deep text\n`);
    expect(cappedLines).toEqual([2]);
    const second = text.split('\n')[1] ?? '';
    expect(second.match(/>/g)?.length).toBe(MAX_NESTING);
    expect(second).toMatch(/deep text$/);
  });

  it('leaves ordinary Markdown untouched', () => {
    const markdown = `${TABLE}> quote\n> > nested\n- a\n  - b\n1. one\n`;
    expect(limitNesting(markdown)).toEqual({ text: markdown, cappedLines: [] });
  });
});

describe('parseNfrs on pathological input (generous bounds: the work is linear)', () => {
  it('a 100 KB spec ending in 50,000 nested ">" is read in seconds, with its NFR and a warning', () => {
    const markdown = `${TABLE}${'Prose about the service.\n'.repeat(2000)}${'>'.repeat(50_000)}\n`;
    const started = Date.now();
    const result = parseNfrs(markdown);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.nfrs.map((n) => n.metric)).toEqual(['p99_latency']);
    expect(result.warnings[0]).toMatch(/line 2007 nest block quotes or lists more than 20 deep/);
  });

  it('a line of 40,000 brackets is cut before the Markdown parser', () => {
    const started = Date.now();
    const result = parseNfrs(`## NFRs\n\n- Latency: < 5 ms ${'[('.repeat(20_000)}\n`);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.nfrs[0]?.objective?.threshold).toBe(5);
    expect(result.warnings[0]).toMatch(/longer than 4000 characters/);
  });
});

describe('parseNfrs: which headings open a section', () => {
  it.each([
    '## Non-Functional Requirements',
    '## Performance',
    '## Performance Requirements',
    '### Availability & SLA',
    '###### 9.1.2 Latency budget',
    '## 8. Reliability and Scalability',
    '## 非功能需求',
    '## 非機能要件',
    '## ความต้องการที่ไม่ใช่ฟังก์ชัน',
    '## Requisitos no funcionales',
    '## Requisitos não funcionais',
    '## Nicht-funktionale Anforderungen',
  ])('%s opens a section', (heading) => {
    expect(isNfrHeading(heading.replace(/^#+ /, ''))).toBe(true);
  });

  it.each([
    '# Performance Load Tests Specification',
    '### User Story 2 - Performance Metrics Logging',
    '## Feature: Latency Dashboard',
    '## Performance Dashboard',
    '## Security Requirements',
  ])('%s does not', (heading) => {
    expect(isNfrHeading(heading.replace(/^#+ /, ''))).toBe(false);
  });

  it('a feature title with "Performance" does not turn the document into NFRs', () => {
    const markdown = '# Performance Dashboard\n\n- Shows charts of 5 services\n- Loads fast\n';
    expect(parseNfrs(markdown).nfrs).toEqual([]);
  });
});

describe('parseNfrs: Given/When/Then steps', () => {
  it('reads a target from Then/And steps and nothing from Given/When', () => {
    const markdown = [
      '## Performance',
      '',
      '- **WHEN** 100 clients make simultaneous tool calls',
      '- **AND** error rate SHALL be less than 1%',
      '- WHEN the pool is full THEN requests time out within 10 seconds',
      '- Given 500 events/second',
    ].join('\n');
    const nfrs = parseNfrs(markdown).nfrs;
    expect(
      nfrs.map((n) => [n.line, n.objective?.comparator, n.objective?.threshold, n.objective?.unit]),
    ).toEqual([
      [4, '<', 1, '%'],
      [5, '<=', 10, 's'],
    ]);
    expect(nfrs.map((n) => n.metric)).not.toContain('and');
  });

  it('a label that starts with a step word is still a label', () => {
    expect(
      parseNfrs('## NFRs\n\n- If A: < 1 ms\n- IF B: < 2 ms\n- When ready: < 3 ms\n').nfrs.map(
        (n) => n.metric,
      ),
    ).toEqual(['if_a', 'if_b', 'when_ready']);
  });
});

describe('readSpecText', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads a spec within the limit', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spec-limit-'));
    const file = path.join(dir, 'spec.md');
    await writeFile(file, TABLE);
    await expect(readSpecText(file, 'specs/x/spec.md', 1000)).resolves.toBe(TABLE);
  });

  it('refuses a larger spec with the file, the limit and the setting to change', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'spec-limit-'));
    const file = path.join(dir, 'spec.md');
    await writeFile(file, 'x'.repeat(5000));
    const error = await readSpecText(file, 'specs/x/spec.md', 4096).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'specs/x/spec.md is 5000 bytes, more than the limit of 4096 bytes for a spec',
    );
    expect((error as UserError).field).toBe('safety.content_limits.max_spec_bytes');
    expect((error as UserError).code).toBe('config');
  });
});
