export type { ProviderIdentity } from './judge.js';
export { judge, overallStatus } from './judge.js';
export type { Check, MisnamedMapping, Plan, UnitMismatch } from './plan.js';
export { planChecks } from './plan.js';
export type { Evaluation, NfrStatus, OverallStatus, Unmonitored, UnmonitoredKind, Verdict } from './types.js';
