import os from 'node:os';
import { policyFor } from '../alerting/index.js';
import type { SpecRuntime } from './targets.js';

/** What the alert state machines and their payloads need to know about one monitored spec. */
export function alertContextFor(
  runtime: SpecRuntime,
  daemon: { intervalSeconds: number; version: string; statusPageUrl: string | null },
) {
  const { prepared } = runtime;
  const mappings = new Map(prepared.config.metrics.map((m) => [m.name, m]));
  const statusPage = daemon.statusPageUrl;
  return {
    policy: (metric: string) => policyFor(prepared.config.alerting, mappings.get(metric)),
    receivers: runtime.receivers.map((r) => r.name),
    intervalSeconds: daemon.intervalSeconds,
    // The same links for every verdict: also the links of the blind notices, which have no verdict.
    links: () => ({ report: null, status_page: statusPage }),
    service: prepared.spec.specId,
    version: daemon.version,
    host: os.hostname(),
    redact: (text: string) => prepared.redactor.redact(text),
    alertingMode: (metric: string) =>
      mappings.get(metric)?.sloAlerting?.mode ?? prepared.config.sloAlerting?.mode ?? ('both' as const),
  };
}

/** An AlertContext (alerting/advance.ts) whose links need no verdict, as the blind notices need them. */
export type SpecAlertContext = ReturnType<typeof alertContextFor>;
