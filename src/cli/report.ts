import { existsSync } from 'node:fs';
import path from 'node:path';
import pc from 'picocolors';
import { systemClock } from '../common/clock.js';
import { UserError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import type { ReportFormat } from '../config/types.js';
import { prepareCheck } from '../pipeline/index.js';
import type { Period, PeriodReport } from '../report/period/index.js';
import {
  customPeriod,
  dailyPeriod,
  previousPeriod,
  validateTimeZone,
  weeklyPeriod,
} from '../report/period/index.js';
import type { ProducedReport } from '../report/produce.js';
import { aggregatorCommand, producePeriodReport, runAggregator } from '../report/produce.js';
import { explainStoreError, openStore } from '../store/index.js';
import { assertWritable, resolveDatabasePath, resolveOutputBase, writeScopeOf } from '../workspace/index.js';
import { useColor } from './color.js';
import { EXIT } from './exit-codes.js';
import type { CommonOptions } from './options.js';
import { checkOptionsOf, parseAt, parsePositiveNumber, pickSpecId } from './options.js';
import type { Output } from './output.js';
import { describeQueries } from './verbose.js';

export interface ReportFlags {
  period?: string;
  date?: string;
  from?: string;
  to?: string;
  format?: string;
  state?: string;
  interval?: string;
  timeZone?: string;
  allowNetwork?: boolean;
  out?: string;
  aggregator?: boolean;
}

const FORMATS: readonly ReportFormat[] = ['json', 'md', 'html'];

/** Which period: `--from/--to`, or the `--period` (daily/weekly) that contains `--date` (default: the last completed one). */
function periodOf(flags: ReportFlags, timeZone: string, now: Date): Period {
  if (flags.from !== undefined || flags.to !== undefined) {
    if (flags.from === undefined || flags.to === undefined) {
      throw new UserError('usage', '--from and --to go together', {
        hint: 'e.g. --from 2026-11-01T00:00:00Z --to 2026-11-08T00:00:00Z',
      });
    }
    if (flags.period !== undefined || flags.date !== undefined) {
      throw new UserError('usage', '--from/--to and --period/--date contradict each other', {});
    }
    const from = parseAt(flags.from, now, '--from');
    const to = parseAt(flags.to, now, '--to');
    if (to.getTime() <= from.getTime()) throw new UserError('usage', '--to must be after --from', {});
    return customPeriod(from, to);
  }
  const kind = flags.period ?? 'daily';
  if (kind !== 'daily' && kind !== 'weekly') {
    throw new UserError('usage', `"${kind}" is not daily or weekly`, {
      field: '--period',
      hint: 'or give --from and --to',
    });
  }
  const make = kind === 'daily' ? dailyPeriod : weeklyPeriod;
  if (flags.date !== undefined) {
    const date = /^\d{4}-\d{2}-\d{2}$/.test(flags.date)
      ? new Date(`${flags.date}T12:00:00Z`)
      : parseAt(flags.date, now, '--date');
    if (Number.isNaN(date.getTime()))
      throw new UserError('usage', `"${flags.date}" is not a date`, { field: '--date' });
    return make(date, timeZone);
  }
  return previousPeriod(make(now, timeZone)); // the last completed one
}

function formatsOf(text: string | undefined, fallback: readonly ReportFormat[]): ReportFormat[] {
  if (text === undefined) return [...fallback];
  const formats = text.split(',').map((f) => f.trim());
  const bad = formats.filter((f) => !FORMATS.includes(f as ReportFormat));
  if (bad.length > 0 || formats.length === 0) {
    throw new UserError('usage', `"${text}": unknown format ${bad.join(', ')}`, {
      field: '--format',
      hint: 'a comma-separated list of json, md, html',
    });
  }
  return formats as ReportFormat[];
}

/** `report`: a performance report of one spec for any period, from the daemon's history and the backend. */
export async function report(
  positional: string | undefined,
  options: CommonOptions & ReportFlags,
  output: Output,
): Promise<number> {
  const now = systemClock.now();
  const specId = pickSpecId(positional, options.specId);
  const prepared = await prepareCheck(checkOptionsOf(options, specId));
  output.setRedactor(prepared.redactor);
  for (const warning of prepared.warnings) output.warn(warning);
  const timeZone = options.timeZone ?? prepared.config.reports.timeZone;
  try {
    validateTimeZone(timeZone);
  } catch {
    throw new UserError('usage', `"${timeZone}" is not a time zone`, {
      field: '--time-zone',
      hint: 'an IANA name such as UTC or Europe/Berlin',
    });
  }
  const period = periodOf(options, timeZone, now);
  const formats = formatsOf(options.format, prepared.config.reports.formats);
  const intervalSeconds =
    options.interval === undefined ? 60 : parsePositiveNumber('--interval', options.interval, 1);
  const outputBase = resolveOutputBase(prepared.root, options.out, prepared.settings);
  for (const line of describeQueries(prepared)) output.verbose(line);
  const scope = writeScopeOf(prepared.root, prepared.settings);
  // Refused before anything is queried; each file is checked again when it is written.
  assertWritable(scope, path.join(outputBase, prepared.spec.specId));

  // The daemon's history when there is one; the backend fills whatever it does not cover.
  const database = resolveDatabasePath(
    scope,
    options.state === undefined
      ? { path: prepared.config.storage.path, field: 'storage.path' }
      : { path: options.state, field: '--state' },
  );
  // Opened here to refuse a missing, newer or damaged database before anything is queried. Read on
  // this thread: whole hours come packed (a month of 100 one-minute metrics in a fraction of a
  // second), and no cycle or listener shares this process.
  const store = existsSync(database) ? openStore(database, { readonly: true }) : null;
  if (store === null)
    output.verbose(
      `no history at ${path.relative(prepared.root, database)}: every figure comes from the backend`,
    );
  let produced: ProducedReport;
  try {
    produced = await producePeriodReport({
      prepared,
      period,
      history: (q) => {
        if (store === null) return null;
        try {
          return store.seriesColumns(q);
        } catch (error) {
          throw explainStoreError(error, database);
        }
      },
      intervalSeconds,
      outputBase,
      formats,
      generatedAt: now,
      version: VERSION,
    });
  } finally {
    store?.close();
  }
  if (options.json)
    output.stdout(
      `${JSON.stringify({ files: produced.files, report: summaryOf(produced.report) }, null, 2)}\n`,
    );
  else
    output.result(
      () => `${renderReportConsole(produced.report, produced.files, useColor(process.stdout))}\n`,
    );
  const command = options.aggregator === false ? null : aggregatorCommand(prepared.config.reports);
  if (command) {
    const result = await runAggregator(command, (t) => prepared.redactor.redact(t));
    if (result.ok) output.verbose(`${path.basename(command.argv[0]!)} ran`);
    else output.warn(`the feedback aggregator failed: ${result.error}`);
  }
  return EXIT.healthy;
}

function percent(x: number | null): string {
  return x === null ? '—' : `${Number((x * 100).toFixed(2))}%`;
}

function summaryOf(r: PeriodReport) {
  return {
    spec_id: r.specId,
    period: {
      kind: r.period.kind,
      label: r.period.label,
      from: r.period.from.toISOString(),
      to: r.period.to.toISOString(),
    },
    status: r.status,
    compliance: r.summary.compliance,
    trends: r.trends.map((t) => t.sentence),
  };
}

function renderReportConsole(r: PeriodReport, files: string[], color: boolean): string {
  const c = pc.createColors(color);
  const lines = [
    `${c.bold(r.specId)} · ${r.period.kind} ${r.period.label} (${r.period.from.toISOString()} → ${r.period.to.toISOString()})`,
    '',
  ];
  for (const m of r.metrics) {
    const sources =
      m.source === 'mixed' ? `history ${m.sources.history} + backfill ${m.sources.backfill}` : m.source;
    lines.push(
      `  ${m.metric.padEnd(24)} ${m.target.text.padEnd(10)} compliance ${percent(m.compliance).padStart(8)}  episodes ${String(m.episodes.length).padStart(2)}  trend ${m.change.trend.padEnd(7)} [${sources}]`,
    );
  }
  if (r.trends.length > 0) {
    lines.push('');
    for (const t of r.trends) lines.push(`  ${c.yellow('trend')}: ${t.sentence}`);
  }
  lines.push('');
  lines.push(
    `${r.status.toUpperCase()} over the period · overall compliance ${percent(r.summary.compliance)}`,
  );
  for (const f of files) lines.push(c.dim(`  wrote ${f}`));
  return lines.join('\n');
}
