import path from 'node:path';
import pLimit from 'p-limit';
import { systemClock } from '../common/clock.js';
import { restoreOptimizingCompiler } from '../common/heap.js';
import { VERSION } from '../common/version.js';
import { prepareCheck, runCheck } from '../pipeline/index.js';
import { measureObjectives } from '../pipeline/objectives.js';
import { APPLY_NOTE, buildSummary, runIdFor, writeRunReport } from '../report/index.js';
import { assertWritable, resolveOutputBase, writeScopeOf } from '../workspace/index.js';
import { checkCiFlags } from './ci-flags.js';
import { emitCiOutputs, resolveFormatOut } from './ci-output.js';
import { useColor } from './color.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import type { GateFlags } from './gate.js';
import { gateOf, gateResult } from './gate.js';
import { formatJsonError, jsonErrorOf } from './json-error.js';
import type { CommonOptions } from './options.js';
import { checkOptionsOf, parseAt, pickSpecId } from './options.js';
import type { Output } from './output.js';
import type { ModeFlags } from './run-flags.js';
import { checkModeFlags } from './run-flags.js';
import { describeQueries } from './verbose.js';

const MANY_CHECKS = 500;
/** Queries in flight at once, instant and objective queries together. */
const QUERY_CONCURRENCY = 8;

/** `--run-once`: measure every NFR once, print, write the report, return the exit code. */
export async function runOnce(
  positional: string | undefined,
  options: CommonOptions & ModeFlags & GateFlags,
  output: Output,
): Promise<number> {
  checkModeFlags(options);
  const interruption = watchInterrupt(output, Boolean(options.json));
  try {
    return await checkAndReport(positional, options, output, interruption);
  } finally {
    interruption.dispose();
  }
}

interface Interruption {
  readonly signal: AbortSignal;
  /** From here on Ctrl-C lets the report be completed instead of leaving half of it. */
  beginWriting(): void;
  /** True when Ctrl-C came while the report was being written. */
  readonly interrupted: boolean;
  dispose(): void;
}

/**
 * Ctrl-C (SIGINT) ends a run with exit 130 and one line on stderr. Before the report is written it
 * stops at once (nothing was written); while it is written it lets the write finish, so a report is
 * either whole or absent.
 */
function watchInterrupt(output: Output, json: boolean): Interruption {
  const controller = new AbortController();
  let writing = false;
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    controller.abort();
    if (!writing) {
      const message = 'interrupted (Ctrl-C): stopped before any report was written';
      output.error(`${message} (exit 130)`);
      if (json)
        output.stdout(formatJsonError(jsonErrorOf({ code: 'interrupted', message }, EXIT.interrupted)));
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  return {
    signal: controller.signal,
    beginWriting: () => {
      writing = true;
    },
    get interrupted() {
      return interrupted;
    },
    dispose: () => process.off('SIGINT', onSignal),
  };
}

async function checkAndReport(
  positional: string | undefined,
  options: CommonOptions & ModeFlags & GateFlags,
  output: Output,
  interruption: Interruption,
): Promise<number> {
  const startedAt = systemClock.now();
  const gate = gateOf(options);
  const specId = pickSpecId(positional, options.specId);
  const at = parseAt(options.at, startedAt);
  const prepared = await prepareCheck(checkOptionsOf(options, specId));
  // Thousands of checks make a run long enough for optimized code to pay back its compiling.
  if (prepared.plan.checks.length >= MANY_CHECKS) restoreOptimizingCompiler();
  output.setRedactor(prepared.redactor);
  const base = resolveOutputBase(prepared.root, options.out, prepared.settings);
  const scope = writeScopeOf(prepared.root, prepared.settings);
  // Refused before anything is queried; the write itself is checked again.
  assertWritable(scope, path.join(base, prepared.spec.specId));
  const formatOut = resolveFormatOut(scope, options.formatOut);
  for (const warning of prepared.warnings) output.warn(warning);
  if (options.apply) output.verbose(APPLY_NOTE);
  output.verbose(
    `spec ${path.relative(prepared.root, prepared.spec.specFile)} · config ${path.relative(prepared.root, prepared.configFile)} · evaluating at ${at.toISOString()}`,
  );
  for (const line of describeQueries(prepared)) output.verbose(line);

  // Side by side under one concurrency limit, which bounds the backend's load: the instant queries
  // are queued first, and the objectives' derivation runs while they are answered.
  const limit = pLimit(QUERY_CONCURRENCY);
  const [evaluation, objectives] = await Promise.all([
    runCheck(prepared, at, { limit, signal: interruption.signal }),
    measureObjectives(prepared, at, { limit, signal: interruption.signal }),
  ]);
  const draft = buildSummary(evaluation, {
    version: VERSION,
    runId: runIdFor(startedAt),
    generatedAt: systemClock.now(),
    mode: 'run-once',
    specFile: path.relative(prepared.root, prepared.spec.specFile),
    observabilityConfig: path.relative(prepared.root, prepared.configFile),
    apply: Boolean(options.apply),
    lang: options.lang,
    platform: options.platform,
    warnings: prepared.warnings,
    writes: [],
    objectives: new Map([...objectives].map(([name, measured]) => [name, measured.report])),
  });
  draft.gate = gateResult(draft, gate);
  interruption.beginWriting();
  const summary = await writeRunReport(
    {
      root: prepared.root,
      base,
      onCollision: prepared.settings.onCollision,
      scope,
    },
    draft,
    (s) => prepared.redactor.redactDeep(s),
  );
  if (interruption.interrupted) {
    const report = summary.writes.reports.find((file) => file.endsWith('summary.json'));
    const message = `interrupted (Ctrl-C) while the report was written; it was completed: ${report}`;
    output.error(`${message} (exit 130)`);
    if (options.json)
      output.stdout(formatJsonError(jsonErrorOf({ code: 'interrupted', message }, EXIT.interrupted)));
    return EXIT.interrupted;
  }
  const ci = await emitCiOutputs(summary, {
    format: checkCiFlags(options),
    formatOut,
    json: Boolean(options.json),
    root: prepared.root,
    scope,
    redact: (text) => prepared.redactor.redact(text),
    output,
    env: process.env,
    durationSeconds: (systemClock.now().getTime() - startedAt.getTime()) / 1000,
  });
  if (options.json) output.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else if (!ci.stdoutTaken && !options.quiet) {
    // The table library is loaded only when the table is shown.
    const { renderRunConsole } = await import('./render.js');
    output.result(`${renderRunConsole(summary, useColor(process.stdout))}\n`);
  }
  return exitCodeFor(summary.gate?.status ?? summary.status);
}
