// What the rest of the program uses; tests import the modules themselves.
export type { AlertContext } from './advance.js';
export { advanceAlerts, alertKey, policyFor } from './advance.js';
export { deliverDue } from './delivery.js';
export { buildAlertPayload } from './payload.js';
export { defaultIncidentCommand } from './receivers/incident-command.js';
export { createReceivers } from './receivers/index.js';
export { episodeIdFor, initialAlertState } from './state.js';
export type * from './types.js';
