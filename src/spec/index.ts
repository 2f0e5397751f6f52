export { parseNfrs } from './parse.js';
export { parseTarget, type TargetContext, type TargetResult } from './target.js';
export { slugify } from './text.js';
export type { Nfr, NfrParseResult, Objective } from './types.js';
