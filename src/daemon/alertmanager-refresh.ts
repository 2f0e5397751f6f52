import { burnObservationOf, combineConditions } from '../alerting/burn.js';
import { buildAlertPayload } from '../alerting/index.js';
import type { SpecAlertContext } from './alert-context.js';
import type { Logger } from './logger.js';
import type { DaemonShared } from './shared.js';
import type { StatusView } from './status-view.js';
import type { SpecRuntime } from './targets.js';
import { alertmanagerRefreshSeconds } from './targets.js';

/**
 * Alertmanager forgets an alert whose endsAt has passed: firing alerts are re-posted every refresh
 * period, straight to the Alertmanager receivers (best effort: the outbox keeps the events that
 * must not be lost; a missed refresh is made good by the next one).
 */
export class AlertmanagerRefresh {
  private lastRefresh: number | null = null;

  constructor(
    private readonly shared: DaemonShared,
    private readonly view: StatusView,
    private readonly parts: {
      intervalSeconds: number;
      log: Logger;
      alertContext: (runtime: SpecRuntime) => SpecAlertContext;
    },
  ) {}

  async refreshIfDue(at: Date): Promise<void> {
    const period = alertmanagerRefreshSeconds(this.parts.intervalSeconds) * 1000;
    if (this.lastRefresh !== null && at.getTime() - this.lastRefresh < period) return;
    this.lastRefresh = at.getTime();
    for (const runtime of this.shared.runtimes) {
      const receivers = runtime.receivers.filter((r) => r.type === 'alertmanager');
      if (receivers.length === 0) continue;
      const specId = runtime.prepared.spec.specId;
      const verdicts = new Map(this.view.latest.get(specId)?.evaluation.verdicts.map((v) => [v.metric, v]));
      const context = this.parts.alertContext(runtime);
      for (const state of this.shared.alertStates.values()) {
        const verdict = verdicts.get(state.metric);
        if (state.specId !== specId || state.phase !== 'firing' || !verdict) continue;
        // The same burn-rate details as the cycle's notification, from the objectives of that cycle.
        const report = this.view.objectives.reportsAt(specId, verdict.checkedAt)?.get(state.metric);
        const observation = report ? burnObservationOf(report) : null;
        const { trigger } = combineConditions(
          context.alertingMode(state.metric),
          verdict.status === 'breached',
          observation,
          'firing',
        );
        const payload = buildAlertPayload({
          verdict,
          state,
          event: 'reminder',
          kind: state.kind,
          service: context.service,
          links: context.links(),
          version: context.version,
          host: context.host,
          redact: context.redact,
          ...(state.kind === 'slo' ? { burn: { observation, trigger } } : {}),
        });
        for (const receiver of receivers) {
          const result = await receiver.deliver(payload);
          if (!result.ok) {
            this.parts.log.debug(
              { event: 'alertmanager_refresh_failed', receiver: receiver.name },
              result.error,
            );
          }
        }
      }
    }
  }
}
