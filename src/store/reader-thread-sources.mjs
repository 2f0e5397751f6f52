// Starts a history reader thread from the TypeScript sources (tests, `node --import tsx`): a worker
// thread does not inherit tsx's loader, so it registers it before loading the thread's code. The built
// CLI starts dist/cli/history-reader.js instead and never reads this file.
import { register } from 'tsx/esm/api';

register();
await import('./reader-thread.ts');
