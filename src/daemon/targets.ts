import path from 'node:path';
import type { Receiver } from '../alerting/index.js';
import { createReceivers, defaultIncidentCommand } from '../alerting/index.js';
import { UserError } from '../common/errors.js';
import type { CheckOptions, PreparedCheck } from '../pipeline/index.js';
import { loadWorkspace, prepareCheck } from '../pipeline/index.js';
import type { Provider } from '../providers/types.js';
import { assertWritable, checkNetworkAllowed, listSpecs, writeScopeOf } from '../workspace/index.js';
import type { DaemonMetrics } from './metrics.js';

/** One monitored spec with everything a cycle needs. Rebuilt on reload. */
export interface SpecRuntime {
  prepared: PreparedCheck;
  /** Receivers named `<spec-id>/<name>` so that several specs never share an outbox key. */
  receivers: Receiver[];
  alertsDir: string;
}

export type PrepareOptions = Omit<CheckOptions, 'specId'> & { intervalSeconds: number };

/** How often firing alerts are re-posted to Alertmanager (which expects it, like from Prometheus). */
export function alertmanagerRefreshSeconds(intervalSeconds: number): number {
  return Math.max(intervalSeconds, 60);
}

/** Which spec ids to monitor: the ones named, or with `--all` every spec of the workspace. */
export function selectSpecIds(options: PrepareOptions & { specIds: string[]; all: boolean }): string[] {
  if (!options.all) return [...new Set(options.specIds)];
  const { root, settings } = loadWorkspace(options);
  return listSpecs(root, settings).map((s) => s.specId);
}

/** Wraps a provider so that every query is timed and every failure counted, per provider. */
function instrument(provider: Provider, metrics: DaemonMetrics): Provider {
  const labels = { provider: provider.name, provider_type: provider.type };
  return {
    name: provider.name,
    type: provider.type,
    host: provider.host,
    async queryInstant(query, at, options) {
      const stop = metrics.queryDuration.startTimer(labels);
      const result = await provider.queryInstant(query, at, options);
      stop();
      if (!result.ok) metrics.queryErrors.inc({ ...labels, failure: result.failure });
      return result;
    },
    queryRange: (query, start, end, step, options) => provider.queryRange(query, start, end, step, options),
  };
}

export async function prepareRuntime(
  specId: string,
  options: PrepareOptions & { outputBase: string; metrics: DaemonMetrics },
): Promise<SpecRuntime> {
  const prepared = await prepareCheck({ ...options, specId });
  for (const [name, provider] of prepared.providers)
    prepared.providers.set(name, instrument(provider, options.metrics));
  const writeScope = writeScopeOf(prepared.root, prepared.settings);
  // Refused at start (exit 2) and on reload, not only when the first alert or report is written.
  assertWritable(writeScope, path.join(options.outputBase, prepared.spec.specId, 'alerts'));
  const alertsDir = path.join(options.outputBase, prepared.spec.specId, 'alerts');
  const incidentCommand = prepared.config.incidentCommand ?? defaultIncidentCommand();
  const receivers = createReceivers(prepared.config.receivers, {
    alertsDir,
    writeScope,
    incidentCommand,
    redact: (text) => prepared.redactor.redact(text),
    // Firing alerts are re-posted to Alertmanager every refresh; if the daemon stops doing so,
    // Alertmanager lets them expire after a few refreshes, as it does for Prometheus.
    alertmanagerFiringTtlSeconds: 4 * alertmanagerRefreshSeconds(options.intervalSeconds),
    network: {
      allowHost: (host) => checkNetworkAllowed(host, prepared.settings, options.allowNetwork),
      configFile: path.relative(prepared.root, prepared.configFile) || prepared.configFile,
    },
  }).map(
    (r): Receiver => ({
      name: `${prepared.spec.specId}/${r.name}`,
      type: r.type,
      deliver: (p, s) => r.deliver(p, s),
    }),
  );
  return { prepared, receivers, alertsDir };
}

/**
 * Prepares every selected spec. Named specs must all be valid (exit 2 otherwise); with `--all`,
 * specs that cannot be monitored are skipped with a reason, and at least one must remain.
 */
export async function prepareRuntimes(
  specIds: readonly string[],
  options: PrepareOptions & { outputBase: string; metrics: DaemonMetrics; all: boolean },
  onSkip: (specId: string, reason: string) => void,
): Promise<SpecRuntime[]> {
  const runtimes: SpecRuntime[] = [];
  for (const specId of specIds) {
    try {
      const runtime = await prepareRuntime(specId, options);
      if (options.all && runtime.prepared.plan.checks.length === 0) {
        onSkip(specId, 'no NFR with a numeric target and a mapped query');
        continue;
      }
      runtimes.push(runtime);
    } catch (error) {
      if (!options.all || !(error instanceof UserError)) throw error;
      onSkip(specId, error.message);
    }
  }
  if (runtimes.length === 0) {
    throw new UserError(
      'usage',
      options.all ? 'no spec of the workspace has monitorable NFRs' : 'no spec to monitor',
      {
        hint: 'give --spec-id <id> (repeatable) or --all, and map NFR metrics to queries in observability.yaml',
      },
    );
  }
  return runtimes;
}
