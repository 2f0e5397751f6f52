import { UserError } from '../../common/errors.js';
import type { HttpTransport } from '../../common/http-transport.js';
import type { IncidentCommandConfig, ReceiverConfig } from '../../config/types.js';
import type { NetworkDecision } from '../../workspace/types.js';
import type { WriteScope } from '../../workspace/write-scope.js';
import type { Receiver } from '../types.js';
import { createAlertmanagerReceiver } from './alertmanager.js';
import { createFileReceiver, FILE_RECEIVER_NAME } from './file.js';
import type { HttpReceiverOptions } from './http.js';
import { createIncidentCommandReceiver, INCIDENT_COMMAND_RECEIVER_NAME } from './incident-command.js';
import { createPagerDutyReceiver } from './pagerduty.js';
import { createSlackReceiver } from './slack.js';
import { createWebhookReceiver } from './webhook.js';

export interface CreateReceiversOptions {
  /** Folder of the always-on file receiver. */
  alertsDir: string;
  /** Where the file receiver may write; checked at every delivery. */
  writeScope: WriteScope;
  /**
   * Null, or an empty argv (`incident_command: false`): no incident command. The caller resolves
   * "not configured" with `defaultIncidentCommand()` first.
   */
  incidentCommand: IncidentCommandConfig | null;
  /** Masks every configured secret in texts that receivers return. */
  redact: (text: string) => string;
  /** Replaces the node:http(s) transport (tests, instrumentation). */
  transport?: HttpTransport;
  /** Clock for file names, signature timestamps and Alertmanager expiry. */
  now?: () => Date;
  /** See `AlertmanagerReceiverOptions.firingTtlSeconds`; pass about twice the repeat interval. */
  alertmanagerFiringTtlSeconds?: number;
  httpTimeoutMs?: number;
  /**
   * The SmartSpec network policy, which receivers obey as providers do: a receiver whose host it denies
   * is a configuration error here, at start; it is asked again at every redirect hop.
   */
  network?: { allowHost: (host: string) => NetworkDecision; configFile: string };
}

/** The file receiver, the incident command (when any), then the configured receivers, in that order. */
export function createReceivers(
  configs: readonly ReceiverConfig[],
  opts: CreateReceiversOptions,
): Receiver[] {
  const http = {
    redact: opts.redact,
    ...(opts.transport ? { transport: opts.transport } : {}),
    ...(opts.httpTimeoutMs !== undefined ? { timeoutMs: opts.httpTimeoutMs } : {}),
    ...(opts.network ? { allowHost: opts.network.allowHost } : {}),
  };
  const clock = opts.now ? { now: opts.now } : {};
  const receivers: Receiver[] = [createFileReceiver(opts.alertsDir, { scope: opts.writeScope, ...clock })];
  if (opts.incidentCommand && opts.incidentCommand.argv.length > 0)
    receivers.push(createIncidentCommandReceiver(opts.incidentCommand, opts.redact));
  const taken = new Set(receivers.map((r) => r.name));
  for (const cfg of configs) {
    if (taken.has(cfg.name)) {
      throw new UserError('config', `two receivers are named "${cfg.name}"`, {
        field: 'receivers',
        hint: `receiver names must be unique; "${FILE_RECEIVER_NAME}" and "${INCIDENT_COMMAND_RECEIVER_NAME}" are built in`,
      });
    }
    taken.add(cfg.name);
    if (opts.network) checkReceiverAllowed(cfg, configs.indexOf(cfg), opts.network);
    const own = { ...http, followRedirects: cfg.followRedirects ?? false };
    receivers.push(createOne(cfg, own, clock, opts.alertmanagerFiringTtlSeconds));
  }
  return receivers;
}

/** Throws the configuration error (exit 2) for a receiver the network policy does not let us reach. */
function checkReceiverAllowed(
  cfg: ReceiverConfig,
  index: number,
  network: NonNullable<CreateReceiversOptions['network']>,
): void {
  let host: string;
  try {
    host = new URL(cfg.url).hostname;
  } catch {
    return; // config validation already refused it
  }
  const decision = network.allowHost(host);
  if (decision.allowed) return;
  throw new UserError('network_denied', `receiver "${cfg.name}" (${cfg.type}): ${decision.message}`, {
    location: { file: network.configFile },
    field: `receivers[${index}]`,
    hint: decision.hint,
  });
}

function createOne(
  cfg: ReceiverConfig,
  http: HttpReceiverOptions & { redact: (text: string) => string },
  clock: { now?: () => Date },
  firingTtlSeconds: number | undefined,
): Receiver {
  switch (cfg.type) {
    case 'webhook':
      return createWebhookReceiver(cfg, { ...http, ...clock });
    case 'alertmanager':
      return createAlertmanagerReceiver(cfg, {
        ...http,
        ...clock,
        ...(firingTtlSeconds !== undefined ? { firingTtlSeconds } : {}),
      });
    case 'slack':
      return createSlackReceiver(cfg, http);
    case 'pagerduty':
      return createPagerDutyReceiver(cfg, http);
  }
}
