import { randomUUID } from 'node:crypto';
import { type HttpFake, type Reply, startHttpFake } from './webhook.js';

/** A fake PagerDuty Events API v2 (`POST /v2/enqueue`), validating as the real one documents. */
export interface FakePagerDuty extends HttpFake {
  /** `<origin>/v2/enqueue` */
  readonly url: string;
  /** Open or resolved alerts by dedup_key, as PagerDuty would fold the events. */
  readonly alerts: Map<
    string,
    { status: 'triggered' | 'acknowledged' | 'resolved'; events: number; summary: string }
  >;
}

const actions = new Set(['trigger', 'acknowledge', 'resolve']);
const severities = new Set(['critical', 'error', 'warning', 'info']);

function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body), contentType: 'application/json' };
}

function invalid(errors: string[]): Reply {
  return json(400, { status: 'invalid event', message: 'Event object is invalid', errors });
}

function validate(event: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const routingKey = event.routing_key;
  if (typeof routingKey !== 'string' || routingKey.length !== 32) {
    errors.push("'routing_key' is invalid (must be a 32 character integration key)");
  }
  if (typeof event.event_action !== 'string' || !actions.has(event.event_action)) {
    errors.push("'event_action' is invalid (must be one of trigger, acknowledge, resolve)");
  }
  if (
    event.dedup_key !== undefined &&
    (typeof event.dedup_key !== 'string' || event.dedup_key.length > 255)
  ) {
    errors.push("'dedup_key' is invalid (string of at most 255 characters)");
  }
  if (event.event_action !== 'trigger' && event.dedup_key === undefined) {
    errors.push("'dedup_key' is required for acknowledge and resolve");
  }
  if (event.event_action === 'trigger') {
    const payload = event.payload as Record<string, unknown> | undefined;
    if (!payload || typeof payload !== 'object') {
      errors.push("'payload' is missing");
    } else {
      if (typeof payload.summary !== 'string' || payload.summary.length === 0)
        errors.push("'payload.summary' is missing");
      else if (payload.summary.length > 1024) errors.push("'payload.summary' is longer than 1024 characters");
      if (typeof payload.source !== 'string' || payload.source.length === 0)
        errors.push("'payload.source' is missing");
      if (typeof payload.severity !== 'string' || !severities.has(payload.severity)) {
        errors.push("'payload.severity' is invalid (must be one of critical, error, warning, info)");
      }
      if (payload.timestamp !== undefined && Number.isNaN(Date.parse(String(payload.timestamp)))) {
        errors.push("'payload.timestamp' is not an ISO 8601 timestamp");
      }
    }
  }
  return errors;
}

export async function startFakePagerDuty(): Promise<FakePagerDuty> {
  const alerts: FakePagerDuty['alerts'] = new Map();
  const fake = await startHttpFake((request) => {
    if (request.method !== 'POST' || request.path !== '/v2/enqueue') {
      return json(404, { status: 'not found', message: 'Not Found' });
    }
    const event = request.body;
    if (!event || typeof event !== 'object' || Array.isArray(event))
      return invalid(['Event is not a JSON object']);
    const record = event as Record<string, unknown>;
    const errors = validate(record);
    if (errors.length > 0) return invalid(errors);
    const dedupKey = typeof record.dedup_key === 'string' ? record.dedup_key : randomUUID().replace(/-/g, '');
    const existing = alerts.get(dedupKey);
    if (record.event_action === 'trigger') {
      const summary = String((record.payload as Record<string, unknown>).summary);
      // A trigger on an open alert is folded into it; on a resolved (or unknown) one it opens a new alert.
      if (existing && existing.status !== 'resolved') existing.events++;
      else alerts.set(dedupKey, { status: 'triggered', events: 1, summary });
    } else if (existing) {
      existing.status = record.event_action === 'resolve' ? 'resolved' : 'acknowledged';
      existing.events++;
    }
    return json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });
  return Object.assign(fake, { url: `${fake.origin}/v2/enqueue`, alerts });
}
