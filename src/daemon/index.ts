export type { DaemonOptions } from './daemon.js';
export { Daemon } from './daemon.js';
export type { Logger } from './logger.js';
export { createLogger } from './logger.js';
