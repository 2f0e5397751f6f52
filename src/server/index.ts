export type { HistoryJson, HistoryPoint } from './history.js';
export { type RunningServer, startServer } from './server.js';
export type { AlertJson, BudgetJson, CycleJson, Readiness, SpecStatusJson, StatusJson } from './status.js';
export type { BudgetStatus, CycleInfo, MonitorStatusSource, ServerOptions, SpecStatus } from './types.js';
