export type {
  DeliverOptions,
  DeliveryCounts,
  OutboxDraining,
  OutboxOrdering,
  Supersession,
} from './delivery.js';
export { DEFAULT_MAX_ATTEMPTS, deliverDue, retryDelayMs, supersededEntries } from './delivery.js';
export type { AlertPayloadInput } from './payload.js';
export { alertSummary, buildAlertPayload, dedupKeyFor, MONITOR_NAME } from './payload.js';
export type {
  AlertmanagerAlert,
  AlertmanagerReceiverOptions,
  PostedSeverities,
} from './receivers/alertmanager.js';
export {
  alertmanagerAlerts,
  alertmanagerLabels,
  createAlertmanagerReceiver,
  DEFAULT_FIRING_TTL_SECONDS,
} from './receivers/alertmanager.js';
export { alertFileName, createFileReceiver, FILE_RECEIVER_NAME } from './receivers/file.js';
export type { HttpReceiverOptions } from './receivers/http.js';
export type { IncidentCommandOptions } from './receivers/incident-command.js';
export {
  createIncidentCommandReceiver,
  DEFAULT_INCIDENT_TIMEOUT_MS,
  defaultIncidentCommand,
  findOnPath,
  INCIDENT_COMMAND_RECEIVER_NAME,
  INCIDENT_RESPONSE_PROGRAM,
  runWorkflowCommand,
} from './receivers/incident-command.js';
export type { CreateReceiversOptions } from './receivers/index.js';
export { createReceivers } from './receivers/index.js';
export { createPagerDutyReceiver, pagerDutyEvent, pagerDutySeverity } from './receivers/pagerduty.js';
export { createSlackReceiver, slackMessage } from './receivers/slack.js';
export type { WebhookReceiverOptions } from './receivers/webhook.js';
export { createWebhookReceiver, idempotencyKeyFor, signBody } from './receivers/webhook.js';
export { FALLBACK_SEVERITY, isWorse, moreSevere, overshoot, severityFor } from './severity.js';
export type { AlertInput, AlertStep, AlertTiming } from './state.js';
export { advanceAlert, episodeIdFor, initialAlertState, observationsFor, timingFor } from './state.js';
export type * from './types.js';
