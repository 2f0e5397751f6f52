/** Workspace: SmartSpec config, spec index, spec-id safety, spec files, write scope, network policy. */
export { createRunDir, writeFileAtomic } from './files.js';
export { checkNetworkAllowed, isLoopbackHost } from './network.js';
export { OUTPUT_AREA, resolveOutputBase, resolveOutputFile } from './output.js';
export { listSpecs, resolveSpec } from './resolve.js';
export {
  DEFAULT_SPEC_ID_REGEX,
  defaultSmartSpecSettings,
  loadSmartSpecSettings,
  parseSmartSpecSettings,
  SMARTSPEC_CONFIG_PATH,
} from './settings.js';
export { validateSpecId } from './spec-id.js';
export { SPEC_INDEX_CANDIDATES } from './spec-index.js';
export type {
  LoadedSmartSpecSettings,
  NetworkDecision,
  ResolvedSpec,
  RunDir,
  SmartSpecSettings,
  SpecListing,
} from './types.js';
export type { WriteCheck, WriteScope } from './write-scope.js';
export {
  assertWritable,
  checkWrite,
  makeWritableDir,
  resolveDatabasePath,
  writeScopeOf,
} from './write-scope.js';
