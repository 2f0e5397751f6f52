import path from 'node:path';
import { systemClock } from '../common/clock.js';
import { VERSION } from '../common/version.js';
import { prepareCheck, runCheck } from '../pipeline/index.js';
import { APPLY_NOTE, buildSummary, runIdFor, writeRunReport } from '../report/index.js';
import { assertWritable, resolveOutputBase, writeScopeOf } from '../workspace/index.js';
import { exitCodeFor } from './exit-codes.js';
import type { CommonOptions } from './options.js';
import { checkOptionsOf, parseAt, pickSpecId } from './options.js';
import type { Output } from './output.js';
import { renderRunConsole, useColor } from './render.js';
import type { ModeFlags } from './run-flags.js';
import { checkModeFlags } from './run-flags.js';

/** `--run-once`: measure every NFR once, print, write the report, return the exit code. */
export async function runOnce(
  positional: string | undefined,
  options: CommonOptions & ModeFlags,
  output: Output,
): Promise<number> {
  checkModeFlags(options);
  const startedAt = systemClock.now();
  const specId = pickSpecId(positional, options.specId);
  const at = parseAt(options.at, startedAt);
  const prepared = await prepareCheck(checkOptionsOf(options, specId));
  output.setRedactor(prepared.redactor);
  const base = resolveOutputBase(prepared.root, options.out, prepared.settings);
  const scope = writeScopeOf(prepared.root, prepared.settings);
  // Refused before anything is queried; the write itself is checked again.
  assertWritable(scope, path.join(base, prepared.spec.specId));
  for (const warning of prepared.warnings) output.warn(warning);
  if (options.apply) output.verbose(APPLY_NOTE);
  output.verbose(
    `spec ${path.relative(prepared.root, prepared.spec.specFile)} · config ${path.relative(prepared.root, prepared.configFile)} · evaluating at ${at.toISOString()}`,
  );

  const evaluation = await runCheck(prepared, at);
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
  });
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
  if (options.json) output.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else output.result(`${renderRunConsole(summary, useColor(process.stdout))}\n`);
  return exitCodeFor(summary.status);
}
