import path from 'node:path';
import type { CommandResult } from '../common/child-process.js';
import { findOnPath, runWorkflowCommand } from '../common/child-process.js';
import type { IncidentCommandConfig, ReportFormat, ReportsConfig } from '../config/types.js';
import type { PreparedCheck } from '../pipeline/index.js';
import { writeScopeOf } from '../workspace/index.js';
import type { HistorySource, Period, PeriodReport } from './period/index.js';
import { buildPeriodReport, writePeriodReport } from './period/index.js';

export const FEEDBACK_AGGREGATOR_PROGRAM = 'smartspec_feedback_aggregator';

export interface ProducedReport {
  report: PeriodReport;
  /** Written files, relative to the workspace root. */
  files: string[];
}

/**
 * Builds one spec's performance report for a period (history first, the backend for the gaps) and
 * writes it under `<outputBase>/<spec-id>/<daily|weekly|custom>/`. Shared by the daemon and `report`.
 */
export async function producePeriodReport(options: {
  prepared: PreparedCheck;
  period: Period;
  history: HistorySource;
  intervalSeconds: number;
  outputBase: string;
  formats: readonly ReportFormat[];
  generatedAt: Date;
  version: string;
}): Promise<ProducedReport> {
  const { prepared } = options;
  const report = await buildPeriodReport({
    specId: prepared.spec.specId,
    period: options.period,
    checks: prepared.plan.checks,
    history: options.history,
    providers: prepared.providers,
    intervalSeconds: options.intervalSeconds,
    trendThreshold: prepared.config.reports.trendThreshold,
    severityRules: prepared.config.alerting.severityRules,
    generatedAt: options.generatedAt,
    version: options.version,
    config: prepared.config,
  });
  const redacted = prepared.redactor.redactDeep(report);
  const files = await writePeriodReport({
    baseDir: path.join(options.outputBase, prepared.spec.specId),
    report: redacted,
    formats: options.formats,
    scope: writeScopeOf(prepared.root, prepared.settings),
  });
  return { report: redacted, files: files.map((f) => path.relative(prepared.root, f)) };
}

/** The configured aggregator command, else `smartspec_feedback_aggregator --run-once` when it is on PATH. */
export function aggregatorCommand(config: ReportsConfig): IncidentCommandConfig | null {
  if (config.aggregatorCommand)
    return config.aggregatorCommand.argv.length > 0 ? config.aggregatorCommand : null;
  const found = findOnPath(FEEDBACK_AGGREGATOR_PROGRAM);
  return found ? { argv: [found, '--run-once'], timeoutMs: 300_000 } : null;
}

/** Hands new reports to the feedback loop (no shell, timeout, redacted output). */
export function runAggregator(
  command: IncidentCommandConfig,
  redact: (text: string) => string,
): Promise<CommandResult> {
  return runWorkflowCommand(command.argv, command.timeoutMs, redact);
}
