import path from 'node:path';
import pc from 'picocolors';
import type { DocumentReading, DocumentTarget } from '../spec/document.js';
import { readDocument } from '../spec/document.js';
import { parseNfrs } from '../spec/index.js';
import { DEFAULT_MAX_SPEC_BYTES, readSpecText } from '../spec/source.js';
import type { Nfr } from '../spec/types.js';
import { loadSmartSpecSettings, resolveSpec, validateSpecId } from '../workspace/index.js';
import { useColor } from './color.js';
import { EXIT } from './exit-codes.js';
import type { CommonOptions } from './options.js';
import { pickSpecId } from './options.js';
import type { Output } from './output.js';

/** One target of `nfrs --json` (docs/cli.md#nfrs). */
export interface ListedTarget extends Omit<DocumentTarget, 'kind'> {
  kind: DocumentTarget['kind'];
  /** False when the monitor cannot compare a measurement with it (its unit); `reason` says why. */
  monitorable: boolean;
  reason: string | null;
  /** The metric name run-once and the daemon use for it, when the spec's NFR table or list states it. */
  monitoredAs: string | null;
}

export interface NfrListing {
  specId: string;
  specFile: string;
  targets: ListedTarget[];
  rejected: DocumentReading['rejected'];
  sections: DocumentReading['sections'];
  warnings: string[];
}

const MONITOR_UNITS = 'ns, us, ms, s, min, h, %, rps, rpm or as a plain number';
/** Units of the reader the monitor converts: d and w into hours, fps as a rate per second. */
const MONITORED_UNITS = new Set([
  'ns',
  'us',
  'ms',
  's',
  'min',
  'h',
  'd',
  'w',
  '%',
  'rps',
  'rpm',
  'fps',
  'count',
]);

/** Seconds (durations), per-second (rates) or the value itself, to match the two readers' targets. */
function normalised(value: number, unit: string): number {
  const seconds: Record<string, number> = {
    ns: 1e-9,
    us: 1e-6,
    ms: 1e-3,
    s: 1,
    min: 60,
    h: 3600,
    d: 86400,
    w: 604800,
  };
  const perSecond: Record<string, number> = { rps: 1, fps: 1, rpm: 1 / 60, rph: 1 / 3600, rpd: 1 / 86400 };
  if (unit === 'ratio') return value * 100;
  return value * (seconds[unit] ?? perSecond[unit] ?? 1);
}

function sameValue(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-12);
}

/** Joins the document reader's targets with the NFRs the monitor acts on (same line, same threshold). */
export function listTargets(reading: DocumentReading, monitored: readonly Nfr[]): ListedTarget[] {
  const byLine = new Map<number, Nfr[]>();
  for (const nfr of monitored) byLine.set(nfr.line, [...(byLine.get(nfr.line) ?? []), nfr]);
  return reading.targets.map((target) => {
    const monitorable = MONITORED_UNITS.has(target.unit);
    const match = (byLine.get(target.line) ?? []).find(
      (nfr) =>
        nfr.objective !== null &&
        sameValue(
          normalised(nfr.objective.threshold, nfr.objective.unit),
          normalised(target.value, target.unit),
        ),
    );
    return {
      ...target,
      monitorable,
      reason: monitorable
        ? null
        : `unit "${target.unit}" is not supported; write the target in ${MONITOR_UNITS}`,
      monitoredAs: match?.metric ?? null,
    };
  });
}

/** `nfrs <spec-id>`: every target the spec states, and every number it did not take with the reason. */
export async function nfrs(
  positional: string | undefined,
  options: CommonOptions,
  output: Output,
): Promise<number> {
  const specId = pickSpecId(positional, options.specId);
  const root = path.resolve(options.root);
  const { settings, warnings } = loadSmartSpecSettings(root, options.config);
  validateSpecId(specId, settings);
  const spec = resolveSpec(root, specId, settings);
  const display = path.relative(root, spec.specFile) || spec.specFile;
  const markdown = await readSpecText(
    spec.specFile,
    display,
    settings.maxSpecBytes ?? DEFAULT_MAX_SPEC_BYTES,
  );
  const reading = readDocument(markdown);
  const monitored = parseNfrs(markdown).nfrs;
  const listing: NfrListing = {
    specId: spec.specId,
    specFile: display.split(path.sep).join('/'),
    targets: listTargets(reading, monitored),
    rejected: reading.rejected,
    sections: reading.sections,
    warnings: [...warnings, ...spec.notes, ...reading.warnings.map((w) => `${display}: ${w}`)],
  };
  if (options.json) {
    output.stdout(`${JSON.stringify(listing, null, 2)}\n`);
    return EXIT.healthy;
  }
  for (const warning of listing.warnings) output.warn(warning);
  output.result(() => `${renderListing(listing, useColor(process.stdout))}\n`);
  return EXIT.healthy;
}

function shown(target: ListedTarget): string {
  const unit = target.unit === 'count' ? '' : target.unit === '%' ? '%' : ` ${target.unit}`;
  const percentile = target.percentile === null ? '' : ` p${target.percentile}`;
  return `${target.comparator} ${target.value}${unit}${percentile}${target.comparatorInferred ? ' (inferred)' : ''}`;
}

function renderListing(listing: NfrListing, color: boolean): string {
  const c = pc.createColors(color);
  const lines = [`${c.bold(listing.specId)}: ${listing.specFile}`, ''];
  lines.push(`Targets read (${listing.targets.length}):`);
  for (const target of listing.targets) {
    const state = !target.monitorable
      ? c.yellow(`not monitorable: ${target.reason}`)
      : target.monitoredAs
        ? c.green(`monitored as ${target.monitoredAs}`)
        : c.dim('listed only');
    lines.push(`  line ${String(target.line).padStart(4)}  ${target.metric}  ${shown(target)}  [${state}]`);
    lines.push(c.dim(`             ${target.requirement} — "${target.text}"`));
  }
  lines.push('');
  lines.push(`Rejected (${listing.rejected.length}):`);
  for (const rejected of listing.rejected) {
    lines.push(
      `  line ${String(rejected.line).padStart(4)}  "${rejected.quantity}": ${rejected.reason} (${rejected.detail})`,
    );
  }
  return lines.join('\n');
}
