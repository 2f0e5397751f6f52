export type { HistoryJson } from './history.js';
export { type RunningServer, startServer } from './server.js';
export type { StatusJson } from './status.js';
export type { CycleInfo, MonitorStatusSource, ServerOptions, SpecStatus } from './types.js';
