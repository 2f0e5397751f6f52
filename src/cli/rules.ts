import path from 'node:path';
import { stringify } from 'yaml';
import { UserError } from '../common/errors.js';
import { configErrorFromDiagnostics } from '../config/index.js';
import type { Check } from '../evaluate/plan.js';
import { loadWorkspace, type PreparedCheck, prepareCheck } from '../pipeline/index.js';
import {
  deriveObjective,
  type OpenSloSource,
  openSloDocuments,
  prometheusOperatorResources,
  prometheusRuleFile,
  type RuleSource,
  ruleProblem,
  slothSpecs,
} from '../slo/index.js';
import { convert } from '../units/index.js';
import {
  listSpecs,
  makeWritableDir,
  resolveOutputFile,
  writeFileAtomic,
  writeScopeOf,
} from '../workspace/index.js';
import { EXIT } from './exit-codes.js';
import type { CommonOptions } from './options.js';
import { allSpecIds, checkOptionsOf } from './options.js';
import type { Output } from './output.js';

export const RULE_FORMATS = ['prometheus', 'prometheus-operator', 'sloth', 'openslo'] as const;
export type RuleFormat = (typeof RULE_FORMATS)[number];

export interface RulesOptions extends CommonOptions {
  all?: boolean;
  format?: string;
}

interface Generated {
  sources: OpenSloSource[];
  /** Lines for stderr: NFRs left out and why, assumptions made. */
  notes: string[];
}

function formatOf(text: string | undefined): RuleFormat {
  const format = text ?? 'prometheus';
  if ((RULE_FORMATS as readonly string[]).includes(format)) return format as RuleFormat;
  throw new UserError('usage', `unknown format "${format}"`, {
    field: '--format',
    hint: `one of ${RULE_FORMATS.join(', ')}`,
  });
}

/** Every mapped NFR of a spec as an objective, with the NFRs that are not mapped noted. */
function sourcesOf(prepared: PreparedCheck, relativeConfig: string): Generated {
  const { config, plan, spec } = prepared;
  const defaults = {
    ...(config.objective ? { objective: config.objective } : {}),
    ...(config.sloAlerting ? { sloAlerting: config.sloAlerting } : {}),
    ...(config.runbookUrl ? { runbookUrl: config.runbookUrl } : {}),
  };
  const notes = plan.unmonitored.map(
    (u) => `${spec.specId}: ${u.metric} (spec line ${u.line}): left out: ${u.reason}`,
  );
  for (const mismatch of plan.unitMismatches) {
    notes.push(
      `${spec.specId}: ${mismatch.metric} (${relativeConfig}:${mismatch.mappingLine}): left out: unit "${mismatch.declared}" cannot be converted to the target's unit "${mismatch.target}" (spec line ${mismatch.specLine})`,
    );
  }
  const sources = plan.checks.map((check: Check): OpenSloSource => {
    const providerType = config.providers[check.mapping.provider]?.type ?? 'unknown';
    const objective = deriveObjective({ check, providerType, defaults });
    if (objective.sli?.assumption) {
      const from = check.mapping.importedFrom;
      const where = from
        ? `${path.relative(prepared.root, from.file)}:${from.line}`
        : `${relativeConfig}:${check.mapping.line}`;
      notes.push(`${spec.specId}: ${objective.metric} (${where}): note: ${objective.sli.assumption}`);
    }
    return {
      specId: spec.specId,
      requirement: check.nfr.requirement,
      targetText: check.nfr.target,
      objective,
      query: check.mapping.query,
      providerType,
      threshold: {
        comparator: check.objective.comparator,
        value: convert(check.objective.threshold, check.objective.unit, check.valueUnit),
      },
    };
  });
  return { sources, notes };
}

function render(format: RuleFormat, sources: readonly OpenSloSource[]): unknown[] {
  switch (format) {
    case 'prometheus':
      return [prometheusRuleFile(sources)];
    case 'prometheus-operator':
      return prometheusOperatorResources(sources);
    case 'sloth':
      return slothSpecs(sources);
    case 'openslo':
      return openSloDocuments(sources);
  }
}

/** Event SLIs for every format but OpenSLO, which also carries timeslice objectives. */
function usable(format: RuleFormat, source: RuleSource): string | null {
  if (format !== 'openslo') return ruleProblem(source);
  return source.objective.target === null ? (source.objective.targetReason ?? 'no target fraction') : null;
}

/** `rules`: Prometheus recording and burn-rate alerting rules (or Sloth/OpenSLO specs) for the NFRs. */
export async function rules(
  _positional: string | undefined,
  options: RulesOptions,
  output: Output,
): Promise<number> {
  const format = formatOf(options.format);
  const { root, settings } = loadWorkspace({ root: options.root, smartspecConfig: options.config });
  const specIds = options.all
    ? listSpecs(root, settings).map((listing) => listing.specId)
    : allSpecIds(undefined, options.specId);
  if (specIds.length === 0) {
    throw new UserError('usage', options.all ? 'the workspace has no spec' : 'no spec id given', {
      hint: 'smartspec-production-monitor rules <spec-id>… or rules --all   (see rules --help)',
    });
  }

  const selected: OpenSloSource[] = [];
  for (const specId of specIds) {
    let prepared: PreparedCheck;
    let relativeConfig: string;
    try {
      prepared = await prepareCheck(checkOptionsOf(options, specId, { offline: true }));
      relativeConfig = path.relative(prepared.root, prepared.configFile) || prepared.configFile;
      // Offline loading tolerates unset environment variables (rules need no backend); nothing else.
      const errors = prepared.configDiagnostics.filter(
        (d) => d.severity === 'error' && !/^environment variable \S+ is not set/.test(d.message),
      );
      if (errors.length > 0) {
        throw configErrorFromDiagnostics(
          errors.map((d) => ({ ...d, file: path.relative(prepared.root, d.file) || d.file })),
        );
      }
    } catch (error) {
      // --all covers every spec it can; a spec named on the command line must be right.
      if (!options.all || !(error instanceof UserError)) throw error;
      output.warn(`${specId}: left out: ${error.message}`);
      continue;
    }
    output.setRedactor(prepared.redactor);
    const { sources, notes } = sourcesOf(prepared, relativeConfig);
    for (const note of notes) output.warn(note);
    for (const source of sources) {
      const problem = usable(format, source);
      if (problem === null) selected.push(source);
      else output.warn(`${specId}: ${source.objective.metric}: left out of the ${format} output: ${problem}`);
    }
  }
  if (selected.length === 0) {
    throw new UserError('config', `no NFR of ${specIds.join(', ')} can become ${format} rules`, {
      hint: 'the warnings above say why for each NFR; docs/slo.md explains what an event SLI needs',
    });
  }

  const documents = render(format, selected);
  const header = `# Generated by smartspec-production-monitor rules --format ${format} from ${[...new Set(selected.map((s) => s.specId))].join(', ')}.\n# Regenerate instead of editing; docs/slo.md explains the model.\n`;
  // --json: the same documents as JSON (also valid YAML for Prometheus), a list when there are several.
  const text = options.json
    ? `${JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2)}\n`
    : header + documents.map((document) => stringify(document, { lineWidth: 0 })).join('---\n');

  if (options.out === undefined) {
    output.stdout(text);
    return EXIT.healthy;
  }
  const scope = writeScopeOf(root, settings);
  const target = resolveOutputFile(
    scope,
    options.out,
    '--out',
    '.spec/reports/production-monitoring/slo-rules.yaml',
  );
  await makeWritableDir(scope, path.dirname(target));
  await writeFileAtomic(target, text, scope);
  output.result(`wrote ${path.relative(root, target)} (${selected.length} objective(s), ${format})\n`);
  return EXIT.healthy;
}
