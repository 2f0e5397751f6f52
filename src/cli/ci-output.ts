import { constants, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { githubAnnotations, githubStepSummary } from '../report/github.js';
import { renderJunit } from '../report/junit.js';
import type { Summary } from '../report/summary.js';
import { makeWritableDir, resolveOutputFile, type WriteScope, writeFileAtomic } from '../workspace/index.js';
import { quoteForMessage, toPosix } from '../workspace/paths.js';
import type { RunFormat } from './ci-flags.js';
import type { Output } from './output.js';

/** `--format-out <file>`: see resolveOutputFile. */
export function resolveFormatOut(scope: WriteScope, given: string | undefined): string | undefined {
  return given === undefined
    ? undefined
    : resolveOutputFile(scope, given, '--format-out', '.spec/reports/production-monitoring/junit.xml');
}

export interface CiOutputContext {
  format: RunFormat;
  /** From resolveFormatOut. */
  formatOut: string | undefined;
  json: boolean;
  root: string;
  scope: WriteScope;
  redact: (text: string) => string;
  output: Output;
  env: NodeJS.ProcessEnv;
  durationSeconds: number;
}

/**
 * Writes what CI systems read, after the run's report: the `--format` document (stdout or
 * `--format-out`), and under GitHub Actions (`GITHUB_ACTIONS=true`) the annotations and the job
 * summary. Returns whether stdout now holds a document (then the table is not printed).
 */
export async function emitCiOutputs(
  summary: Summary,
  context: CiOutputContext,
): Promise<{ stdoutTaken: boolean }> {
  const { output } = context;
  let stdoutTaken = context.json;
  if (context.format === 'junit') {
    const xml = renderJunit([summary], { durationSeconds: context.durationSeconds });
    if (context.formatOut === undefined) {
      output.stdout(xml);
      stdoutTaken = true;
    } else {
      await makeWritableDir(context.scope, path.dirname(context.formatOut));
      await writeFileAtomic(context.formatOut, context.redact(xml), context.scope);
      output.verbose(`wrote JUnit XML to ${path.relative(context.root, context.formatOut)}`);
    }
  }
  if (context.env.GITHUB_ACTIONS === 'true') {
    const specFile = repositoryPath(context.root, summary.spec_file, context.env.GITHUB_WORKSPACE);
    const annotations = githubAnnotations(summary, specFile);
    // The runner reads workflow commands from stdout and stderr alike; stdout may hold a document.
    if (annotations.length > 0) {
      if (stdoutTaken) output.error(annotations.join('\n'));
      else output.stdout(`${annotations.join('\n')}\n`);
    }
    const summaryFile = context.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      const problem = await appendStepSummary(
        summaryFile,
        context.redact(githubStepSummary(summary, specFile)),
      );
      if (problem) output.warn(`no job summary written: GITHUB_STEP_SUMMARY ${problem}`);
    }
  }
  return { stdoutTaken };
}

/**
 * The spec's path as GitHub places annotations: relative to the repository (GITHUB_WORKSPACE) when
 * the spec lies in it, else relative to the SmartSpec root.
 */
function repositoryPath(root: string, specFile: string, repository: string | undefined): string {
  if (repository) {
    try {
      const relative = path.relative(realpathSync(repository), realpathSync(path.resolve(root, specFile)));
      if (relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative))
        return toPosix(relative);
    } catch {
      // not resolvable: fall back to the path in the summary
    }
  }
  return toPosix(specFile);
}

/**
 * Appends to the job summary file the runner created for this step (outside the workspace, so not
 * under the write roots): only to that existing regular file, never through a symlink at its name,
 * never creating one. A failure is a warning: the verdict and exit code stand.
 */
async function appendStepSummary(file: string, text: string): Promise<string | null> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW);
    if (!(await handle.stat()).isFile()) return `${quoteForMessage(file, 200)} is not a regular file`;
    await handle.appendFile(text);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist (the runner creates it for each step)'
        : code === 'ELOOP'
          ? 'is a symbolic link'
          : `could not be written (${code ?? String(error)})`;
    return `${quoteForMessage(file, 200)} ${reason}`;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
