/**
 * The one path from a workspace to verdicts, shared by run-once, validate and the daemon:
 * workspace → spec (NFRs) + observability.yaml → plan → providers → verdicts.
 */
import path from 'node:path';
import pLimit, { type LimitFunction } from 'p-limit';
import { UserError } from '../common/errors.js';
import {
  configErrorFromDiagnostics,
  findObservabilityConfig,
  formatDiagnostic,
  loadObservabilityConfig,
  Redactor,
} from '../config/index.js';
import type { ConfigDiagnostic, MetricMapping, ObservabilityConfig } from '../config/types.js';
import type { Evaluation, Plan, Verdict } from '../evaluate/index.js';
import { judge, overallStatus, planChecks } from '../evaluate/index.js';
import { createProvider } from '../providers/index.js';
import { scrapeQueryDiagnostics } from '../providers/scrape/check.js';
import type { Provider } from '../providers/types.js';
import { loadPromqlGrammar } from '../slo/sli.js';
import { parseNfrs } from '../spec/index.js';
import { DEFAULT_MAX_SPEC_BYTES, readSpecText } from '../spec/source.js';
import type { Nfr } from '../spec/types.js';
import type { ResolvedSpec, SmartSpecSettings } from '../workspace/index.js';
import {
  checkNetworkAllowed,
  loadSmartSpecSettings,
  resolveSpec,
  validateSpecId,
} from '../workspace/index.js';

export interface WorkspaceOptions {
  root: string;
  /** SmartSpec config (`--config`). */
  smartspecConfig?: string | undefined;
}

export interface CheckOptions extends WorkspaceOptions {
  specId: string;
  /** `--obs-config`, absolute or relative to the root. */
  obsConfig?: string | undefined;
  allowNetwork: boolean;
  env: NodeJS.ProcessEnv;
  /** Offline validation: report missing env vars instead of failing, create no providers. */
  offline?: boolean;
  userAgent: string;
}

export interface PreparedSpec {
  root: string;
  settings: SmartSpecSettings;
  spec: ResolvedSpec;
  nfrs: Nfr[];
  warnings: string[];
}

export interface PreparedCheck extends PreparedSpec {
  configFile: string;
  config: ObservabilityConfig;
  configDiagnostics: ConfigDiagnostic[];
  plan: Plan;
  providers: Map<string, Provider>;
  redactor: Redactor;
}

export function loadWorkspace(options: WorkspaceOptions): {
  root: string;
  settings: SmartSpecSettings;
  warnings: string[];
} {
  const root = path.resolve(options.root);
  const { settings, warnings } = loadSmartSpecSettings(root, options.smartspecConfig);
  return { root, settings, warnings };
}

/** Finds and parses the spec. Throws UserError when the id is unsafe or unknown, or the spec has no NFR. */
export async function prepareSpec(options: WorkspaceOptions & { specId: string }): Promise<PreparedSpec> {
  const { root, settings, warnings } = loadWorkspace(options);
  validateSpecId(options.specId, settings);
  const spec = resolveSpec(root, options.specId, settings);
  const relativeSpec = path.relative(root, spec.specFile);
  const markdown = await readSpecText(
    spec.specFile,
    relativeSpec,
    settings.maxSpecBytes ?? DEFAULT_MAX_SPEC_BYTES,
  );
  const parsed = parseNfrs(markdown);
  if (parsed.nfrs.length === 0) {
    throw new UserError('config', `no non-functional requirements found in ${relativeSpec}`, {
      location: { file: relativeSpec },
      hint:
        'add a section headed "Non-Functional Requirements" (or NFR, SLO, SLA, Performance, Reliability, Availability) ' +
        'with a table `| Metric | Target |` or bullets such as "- P99 latency: < 200 ms"',
    });
  }
  return {
    root,
    settings,
    spec,
    nfrs: parsed.nfrs,
    warnings: [...warnings, ...spec.notes, ...parsed.warnings.map((w) => `${relativeSpec}: ${w}`)],
  };
}

/** Everything needed to measure a spec; reused by the daemon across cycles. */
export async function prepareCheck(options: CheckOptions): Promise<PreparedCheck> {
  const prepared = await prepareSpec(options);
  const { root, spec, settings } = prepared;
  const explicit = options.obsConfig ? path.resolve(root, options.obsConfig) : undefined;
  const found = findObservabilityConfig({ root, specDir: spec.specDir, specId: spec.specId, explicit });
  if (!found.file) {
    throw new UserError('config', `no observability.yaml found for spec "${spec.specId}"`, {
      details: found.searched.map((p) => `looked in ${path.relative(root, p) || p}`),
      hint: 'create observability.yaml next to spec.md (see docs/observability-yaml.md) or pass --obs-config <path>',
    });
  }
  const maxBytes =
    settings.maxFileBytesScanned !== undefined ? { maxBytes: settings.maxFileBytesScanned } : {};
  const loaded = loadObservabilityConfig(found.file, options.env, {
    resolveSecrets: !options.offline,
    ...maxBytes,
  });
  // Objectives derive SLIs from PromQL queries: the grammar loads when there is anything to measure.
  if (loaded.config?.sloSources || (loaded.config?.metrics.length ?? 0) > 0) await loadPromqlGrammar();
  // OpenSLO/Sloth `slo_sources` (docs/slo.md#import).
  const { config, diagnostics } = loaded.config?.sloSources
    ? (await import('../config/import/index.js')).applySloSources(loaded, {
        root,
        specId: spec.specId,
        nfrs: prepared.nfrs,
        ...maxBytes,
      })
    : loaded;
  if (config) diagnostics.push(...(await scrapeQueryDiagnostics(config)));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!config || (errors.length > 0 && !options.offline)) throw configErrorFromDiagnostics(diagnostics);

  const plan = planChecks(prepared.nfrs, config.metrics, config.unmapped);
  const relativeConfig = path.relative(root, config.file) || config.file;
  const warnings = [...prepared.warnings];
  for (const d of diagnostics.filter((x) => x.severity === 'warning')) {
    warnings.push(formatDiagnostic({ ...d, file: path.relative(root, d.file) || d.file }));
  }
  if (plan.misnamedMappings.length > 0 && !options.offline)
    throw misnamedMappingError(plan, config.metrics, relativeConfig);
  for (const name of plan.unknownIgnoredNames) {
    warnings.push(`${relativeConfig}: unmapped.ignore: "${name}" is no NFR metric of ${spec.specId}`);
  }
  for (const unused of plan.unusedMappings) {
    if (plan.misnamedMappings.some((m) => m.mapping === unused)) continue;
    warnings.push(
      `${relativeConfig}:${unused.line}: metric "${unused.name}" is mapped but no NFR of ${spec.specId} uses it`,
    );
  }
  if (plan.unitMismatches.length > 0 && !options.offline) {
    const first = plan.unitMismatches[0]!;
    throw new UserError(
      'config',
      `unit "${first.declared}" of metric "${first.metric}" cannot be converted to the target's unit "${first.target}" (spec line ${first.specLine})`,
      {
        location: { file: relativeConfig, line: first.mappingLine },
        field: 'unit',
        details: plan.unitMismatches
          .slice(1)
          .map(
            (m) =>
              `${relativeConfig}:${m.mappingLine}: metric "${m.metric}": unit "${m.declared}" vs target unit "${m.target}"`,
          ),
        hint: 'set `unit:` to the unit of the number the query returns (s, ms, ratio, %, rps, count...)',
      },
    );
  }

  const redactor = new Redactor(config.secretValues, settings.redactionPatterns);
  const providers = new Map<string, Provider>();
  if (!options.offline) {
    const used = new Set(plan.checks.map((c) => c.mapping.provider));
    for (const name of used) {
      const providerConfig = config.providers[name];
      if (!providerConfig) continue; // config validation guarantees it exists
      const provider = createProvider(providerConfig, {
        userAgent: options.userAgent,
        // Asked again at every redirect hop (when follow_redirects is on).
        allowHost: (host) => checkNetworkAllowed(host, settings, options.allowNetwork),
      });
      const decision = checkNetworkAllowed(provider.host, settings, options.allowNetwork);
      if (!decision.allowed) {
        throw new UserError('network_denied', decision.message, {
          location: { file: relativeConfig },
          field: `providers.${name}`,
          hint: decision.hint,
        });
      }
      providers.set(name, provider);
    }
  }
  return {
    ...prepared,
    warnings,
    configFile: config.file,
    config,
    configDiagnostics: diagnostics,
    plan,
    providers,
    redactor,
  };
}

/** A mapping named like an NFR that has no query: a typo that would leave the NFR unmeasured. */
function misnamedMappingError(
  plan: Plan,
  mappings: readonly MetricMapping[],
  relativeConfig: string,
): UserError {
  const describe = (m: Plan['misnamedMappings'][number]) =>
    `metric "${m.mapping.name}" matches no NFR, and NFR "${m.nfrMetric}" (spec line ${m.specLine}) has no query`;
  const [first, ...rest] = plan.misnamedMappings;
  if (!first) return new UserError('config', 'a mapping matches no NFR');
  return new UserError('config', describe(first), {
    location: { file: relativeConfig, line: first.mapping.line },
    field: `metrics[${mappings.indexOf(first.mapping)}].name`,
    details: rest.map((m) => `${relativeConfig}:${m.mapping.line}: ${describe(m)}`),
    hint: `did you mean \`name: ${first.nfrMetric}\`? The name must equal the Metric column of spec.md`,
  });
}

/** Queries every planned metric at one instant and judges it. Backend failures become `unknown`. */
export async function runCheck(
  prepared: PreparedCheck,
  at: Date,
  options: { concurrency?: number; limit?: LimitFunction; signal?: AbortSignal } = {},
): Promise<Evaluation> {
  const limit = options.limit ?? pLimit(options.concurrency ?? 8);
  const verdicts: Verdict[] = await Promise.all(
    prepared.plan.checks.map((check) =>
      limit(async () => {
        const provider = prepared.providers.get(check.mapping.provider);
        if (!provider) {
          return judge(
            check,
            {
              ok: false,
              failure: 'query_error',
              message: `provider "${check.mapping.provider}" is not available`,
              warnings: [],
            },
            { name: check.mapping.provider, type: 'unknown' },
            at,
          );
        }
        const result = await provider.queryInstant(check.mapping.query, at, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(check.mapping.reduce ? { reduce: check.mapping.reduce } : {}),
          ...(check.mapping.lookbackSeconds !== null
            ? { lookbackSeconds: check.mapping.lookbackSeconds }
            : {}),
        });
        return judge(check, result, provider, at);
      }),
    ),
  );
  return {
    specId: prepared.spec.specId,
    checkedAt: at,
    status: overallStatus(verdicts, prepared.plan.unmonitored),
    verdicts,
    unmonitored: prepared.plan.unmonitored,
  };
}
