/** Reading observability.yaml: schema, secrets from the environment, redaction. Knows nothing of HTTP. */
export { configErrorFromDiagnostics, formatDiagnostic } from './diagnostics.js';
export {
  type FindObservabilityConfigOptions,
  type FoundObservabilityConfig,
  findObservabilityConfig,
} from './find.js';
export {
  type LoadOptions,
  type LoadResult,
  loadObservabilityConfig,
  parseObservabilityConfig,
} from './load.js';
export { defaultAlertPolicy } from './normalize.js';
export { type RedactionPattern, Redactor } from './redact.js';
export { observabilityJsonSchema } from './schema.js';
export type * from './types.js';
export { DEFAULT_SEVERITY_RULES, parseDurationSeconds } from './vocabulary.js';
