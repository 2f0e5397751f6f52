import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Verdict } from '../evaluate/index.js';

/**
 * The daemon's own figures and per-SLO gauges, in Prometheus format, so Prometheus and Grafana can
 * scrape both the monitor's health and the SLO state it computes.
 */
export class DaemonMetrics {
  readonly registry = new Registry();

  constructor() {
    // The process's own figures (resident memory, heap, CPU, event-loop lag), as exporters do.
    collectDefaultMetrics({ register: this.registry });
  }

  readonly cycleDuration = new Histogram({
    name: 'smartspec_pm_cycle_duration_seconds',
    help: 'Duration of a monitoring cycle (all specs).',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  readonly cycles = new Counter({
    name: 'smartspec_pm_cycles_total',
    help: 'Monitoring cycles run.',
    registers: [this.registry],
  });
  readonly cyclesFailed = new Counter({
    name: 'smartspec_pm_cycles_failed_total',
    help: 'Cycles that could not be recorded (e.g. the database failed): their verdicts raised no alert.',
    registers: [this.registry],
  });
  readonly lastSuccess = new Gauge({
    name: 'smartspec_pm_last_success_timestamp_seconds',
    help: 'When the last cycle that was recorded finished (Unix seconds).',
    registers: [this.registry],
  });
  readonly slowCycles = new Counter({
    name: 'smartspec_pm_cycles_slow_total',
    help: 'Cycles that ran past the next slot (the next cycle was delayed).',
    registers: [this.registry],
  });
  readonly lastCycle = new Gauge({
    name: 'smartspec_pm_last_cycle_timestamp_seconds',
    help: 'When the last cycle finished (Unix seconds).',
    registers: [this.registry],
  });
  readonly queryDuration = new Histogram({
    name: 'smartspec_pm_query_duration_seconds',
    help: 'Latency of backend queries.',
    labelNames: ['provider', 'provider_type'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queryErrors = new Counter({
    name: 'smartspec_pm_query_errors_total',
    help: 'Backend queries that gave no usable value, by failure kind.',
    labelNames: ['provider', 'provider_type', 'failure'],
    registers: [this.registry],
  });
  readonly notifications = new Counter({
    name: 'smartspec_pm_notifications_total',
    help: 'Notification delivery attempts by result (delivered, failed = will retry, dead = gave up, superseded = a later notification of the alert carried it).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  readonly outboxDepth = new Gauge({
    name: 'smartspec_pm_outbox_depth',
    help: 'Notifications committed but not yet accepted by their receiver.',
    registers: [this.registry],
  });
  readonly sloValue = new Gauge({
    name: 'smartspec_pm_slo_value',
    help: 'Last measured value of an NFR metric, in the unit of its target (absent when unknown).',
    labelNames: ['spec_id', 'metric', 'unit'],
    registers: [this.registry],
  });
  readonly sloTarget = new Gauge({
    name: 'smartspec_pm_slo_target',
    help: 'Threshold of an NFR target, in its unit.',
    labelNames: ['spec_id', 'metric', 'unit', 'comparator'],
    registers: [this.registry],
  });
  readonly sloHealthy = new Gauge({
    name: 'smartspec_pm_slo_healthy',
    help: '1 when the NFR is within target, 0 when breached (absent when unknown).',
    labelNames: ['spec_id', 'metric'],
    registers: [this.registry],
  });
  readonly sloUnknown = new Gauge({
    name: 'smartspec_pm_slo_unknown',
    help: '1 when the NFR could not be measured in the last cycle.',
    labelNames: ['spec_id', 'metric'],
    registers: [this.registry],
  });
  readonly alertFiring = new Gauge({
    name: 'smartspec_pm_alert_firing',
    help: '1 while an alert is firing (kind slo = objective breached, no_data = monitoring is blind).',
    labelNames: ['spec_id', 'metric', 'kind'],
    registers: [this.registry],
  });

  /** After a cycle that could not be recorded: no value, no verdict, every SLO unknown. */
  recordUnknown(specId: string, verdicts: readonly Pick<Verdict, 'metric' | 'unit'>[]): void {
    for (const v of verdicts) {
      const id = { spec_id: specId, metric: v.metric };
      this.sloValue.remove({ ...id, unit: v.unit });
      this.sloHealthy.remove(id);
      this.sloUnknown.set(id, 1);
    }
  }

  recordVerdicts(specId: string, verdicts: readonly Verdict[]): void {
    for (const v of verdicts) {
      const id = { spec_id: specId, metric: v.metric };
      this.sloTarget.set({ ...id, unit: v.unit, comparator: v.comparator }, v.slo);
      if (v.status === 'unknown' || v.value === null) {
        this.sloValue.remove({ ...id, unit: v.unit });
        this.sloHealthy.remove(id);
        this.sloUnknown.set(id, 1);
      } else {
        this.sloValue.set({ ...id, unit: v.unit }, v.value);
        this.sloHealthy.set(id, v.status === 'healthy' ? 1 : 0);
        this.sloUnknown.set(id, 0);
      }
    }
  }
}
