import type { AlertPayload, AlertState, Receiver } from '../alerting/index.js';
import { buildAlertPayload, episodeIdFor, initialAlertState } from '../alerting/index.js';
import type { AlertPolicy } from '../config/types.js';
import type { Verdict } from '../evaluate/index.js';
import { severityFor } from '../evaluate/severity.js';
import type { Logger } from './logger.js';

/** What the blind notices of one spec need from the daemon. */
export interface BlindSpec {
  specId: string;
  /** The verdicts of the failed cycle (or the last ones known): metric, target, unit, query. */
  verdicts: readonly Verdict[];
  receivers: readonly Receiver[];
  policy: (metric: string) => AlertPolicy;
  /** A `no_data` alert of this metric that the alert state machines already hold open. */
  alreadyBlind: (metric: string) => boolean;
  payloadContext: {
    service: string;
    links: () => { report: string | null; status_page: string | null };
    version: string;
    host: string;
    redact: (text: string) => string;
  };
}

interface Notice {
  receiver: Receiver;
  payload: AlertPayload;
  delivered: boolean;
}

/**
 * When cycles cannot be recorded (the database fails), the outbox cannot carry alerts either: no
 * breach can be raised or resolved. Once the failures have lasted `no_data_for`, this says so
 * directly, bypassing the outbox, to every receiver that still answers: one `no_data` ("monitoring is
 * blind") trigger per metric, retried at each further failed cycle for the receivers that refused it,
 * and resolved the same way when a cycle is recorded again. Best effort by design: there is nowhere
 * durable to keep it.
 */
export class BlindMonitoring {
  private failingSince: Date | null = null;
  private failures = 0;
  private notices: Notice[] = [];
  /** `spec\u0000metric` of the metrics announced in this streak (each once no_data_for has passed). */
  private readonly announced = new Set<string>();

  constructor(private readonly log: Logger) {}

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Called after each failed cycle. */
  async failed(at: Date, specs: readonly BlindSpec[], error: string): Promise<void> {
    this.failures += 1;
    this.failingSince ??= at;
    const since = this.failingSince;
    const metrics: string[] = [];
    for (const spec of specs) {
      for (const verdict of spec.verdicts) {
        const key = `${spec.specId}\u0000${verdict.metric}`;
        const policy = spec.policy(verdict.metric);
        if (this.announced.has(key) || policy.noData === 'ignore' || spec.alreadyBlind(verdict.metric))
          continue;
        if (at.getTime() - since.getTime() < policy.noDataForSeconds * 1000) continue;
        this.announced.add(key);
        metrics.push(`${spec.specId}/${verdict.metric}`);
        const payload = blindPayload(spec, verdict, policy, since, at, this.failures, error);
        for (const receiver of spec.receivers) this.notices.push({ receiver, payload, delivered: false });
      }
    }
    if (metrics.length > 0) {
      this.log.error(
        { event: 'monitoring_blind', since: since.toISOString(), failed_cycles: this.failures, metrics },
        'cycles have failed for no_data_for: telling every receiver that monitoring is blind',
      );
    }
    await this.send(this.notices.filter((n) => !n.delivered));
  }

  /** Called after each recorded cycle: ends the streak, and resolves what was announced. */
  async recovered(at: Date): Promise<void> {
    if (this.failures === 0) return;
    const failed = this.failures;
    this.failures = 0;
    this.failingSince = null;
    const announced = this.notices.filter((n) => n.delivered);
    this.notices = [];
    this.announced.clear();
    if (announced.length === 0) return;
    this.log.info(
      { event: 'monitoring_restored', failed_cycles: failed },
      'cycles are recorded again: resolving the "monitoring is blind" alerts',
    );
    // Once: a receiver that refuses it lets the blind alert expire or keeps it until a human looks.
    await this.send(
      announced.map((n) => ({
        receiver: n.receiver,
        payload: { ...n.payload, event: 'resolve', status: 'resolved', ended_at: at.toISOString() },
        delivered: false,
      })),
    );
  }

  private async send(notices: readonly Notice[]): Promise<void> {
    const refused: string[] = [];
    await Promise.all(
      notices.map(async (notice) => {
        const result = await notice.receiver
          .deliver(notice.payload)
          .catch((e: unknown) => ({ ok: false as const, error: String(e), permanent: false }));
        if (result.ok) notice.delivered = true;
        else refused.push(`${notice.receiver.name}: ${result.error}`);
      }),
    );
    if (refused.length > 0) {
      this.log.warn(
        { event: 'delivery_failed', direct: true, failed: refused.length },
        `receivers refused the "monitoring is blind" notice (retried at the next failed cycle): ${[...new Set(refused)].join('; ')}`,
      );
    }
  }
}

function blindPayload(
  spec: BlindSpec,
  verdict: Verdict,
  policy: AlertPolicy,
  since: Date,
  at: Date,
  failures: number,
  error: string,
): AlertPayload {
  const state: AlertState = {
    ...initialAlertState(spec.specId, verdict.metric, 'no_data'),
    phase: 'firing',
    since,
    badCycles: failures,
    episodeId: episodeIdFor(spec.specId, verdict.metric, 'no_data', since),
    firedAt: at,
    lastNotifiedAt: at,
    severity: severityFor({ ...verdict, value: null, status: 'unknown' }, policy.severityRules),
  };
  const reason =
    `monitoring is blind: the monitor has failed to record its cycles since ${since.toISOString()} ` +
    `(${failures} failed cycles; last error: ${error}); no breach can be raised or resolved until it records again`;
  const { payloadContext: context } = spec;
  return buildAlertPayload({
    verdict: { ...verdict, value: null, status: 'unknown', reason, checkedAt: at },
    state,
    event: 'trigger',
    kind: 'no_data',
    service: context.service,
    links: context.links(),
    version: context.version,
    host: context.host,
    redact: context.redact,
  });
}
