import pc from 'picocolors';
import { prepareCheck } from '../pipeline/index.js';
import { describeSlo } from '../validate/describe-slo.js';
import type { ValidationReport } from '../validate/index.js';
import { validatePrepared } from '../validate/index.js';
import { useColor } from './color.js';
import { EXIT } from './exit-codes.js';
import type { CommonOptions } from './options.js';
import { checkOptionsOf, pickSpecId } from './options.js';
import type { Output } from './output.js';

/** `validate`: spec and config checked without any network. Exit 0 (valid) or 2. */
export async function validate(
  positional: string | undefined,
  options: CommonOptions,
  output: Output,
): Promise<number> {
  const specId = pickSpecId(positional, options.specId);
  const prepared = await prepareCheck(checkOptionsOf(options, specId, { offline: true }));
  output.setRedactor(prepared.redactor);
  for (const warning of prepared.warnings) output.warn(warning);
  const report = await validatePrepared(prepared);
  if (options.json) output.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else output.result(() => `${renderValidation(report, useColor(process.stdout))}\n`);
  return report.ok ? EXIT.healthy : EXIT.usage;
}

function renderValidation(report: ValidationReport, color: boolean): string {
  const c = pc.createColors(color);
  const lines = [`${c.bold(report.specId)}: ${report.specFile} + ${report.configFile}`, ''];
  lines.push(`NFRs found (${report.nfrs.length}):`);
  for (const n of report.nfrs) {
    const state =
      n.objective === null
        ? c.yellow('no numeric target')
        : n.query === null
          ? c.yellow('no query')
          : c.green('ok');
    lines.push(
      `  line ${String(n.line).padStart(3)}  ${n.metric}  ${n.target}  → ${n.objective ?? '—'}  [${state}]`,
    );
    if (n.slo) lines.push(c.dim(`            ${describeSlo(n.slo)}`));
  }
  if (report.querySyntaxChecker) lines.push(c.dim(`PromQL checked with ${report.querySyntaxChecker}`));
  if (report.problems.length > 0) {
    lines.push('');
    for (const p of report.problems) {
      const tag = p.severity === 'error' ? c.red('error') : c.yellow('warning');
      lines.push(`${p.where}: ${tag}: ${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}`);
    }
  }
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  lines.push('');
  lines.push(
    errors === 0
      ? `${c.green(c.bold('VALID'))}: ${warnings} warning(s)`
      : `${c.red(c.bold('INVALID'))}: ${errors} error(s), ${warnings} warning(s)`,
  );
  return lines.join('\n');
}
