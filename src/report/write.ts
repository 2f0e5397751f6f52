import path from 'node:path';
import { createRunDir, type WriteScope, writeFileAtomic } from '../workspace/index.js';
import { renderRunMarkdown } from './markdown.js';
import type { Summary } from './summary.js';

/**
 * Writes `<base>/<spec-id>/<run-id>/{summary.json,report.md}`. The run folder is created fresh (never
 * overwritten; a collision gets a suffixed run-id), and each file is written atomically, each write
 * checked against the write scope.
 * `finish` receives the summary with its final run-id and write list, and may redact it.
 */
export async function writeRunReport(
  options: { root: string; base: string; onCollision: 'new_run_id' | 'fail'; scope: WriteScope },
  draft: Summary,
  finish: (summary: Summary) => Summary,
): Promise<Summary> {
  const specBase = path.join(options.base, draft.spec_id);
  const { dir, runId } = await createRunDir(specBase, draft.run_id, options.onCollision, options.scope);
  const summaryFile = path.join(dir, 'summary.json');
  const reportFile = path.join(dir, 'report.md');
  const summary = finish({
    ...draft,
    run_id: runId,
    writes: { reports: [summaryFile, reportFile].map((f) => path.relative(options.root, f)) },
  });
  await writeFileAtomic(reportFile, renderRunMarkdown(summary), options.scope);
  await writeFileAtomic(summaryFile, `${JSON.stringify(summary, null, 2)}\n`, options.scope);
  return summary;
}
