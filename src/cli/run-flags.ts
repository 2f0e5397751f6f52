import { UserError } from '../common/errors.js';
import { type CiFlags, checkCiFlags } from './ci-flags.js';

export interface ModeFlags extends CiFlags {
  runOnce?: boolean;
  daemon?: boolean;
  interval?: string;
  all?: boolean;
  listen?: string;
  server?: boolean;
  allowUnauthenticated?: boolean;
  allowedHost?: string[];
  state?: string;
  replayFrom?: string;
  replaySpeed?: string;
  at?: string;
  json?: boolean;
}

const DAEMON_ONLY: [keyof ModeFlags, string][] = [
  ['interval', '--interval'],
  ['all', '--all'],
  ['listen', '--listen'],
  ['allowUnauthenticated', '--allow-unauthenticated'],
  ['allowedHost', '--allowed-host'],
  ['state', '--state'],
  ['replayFrom', '--replay-from'],
  ['replaySpeed', '--replay-speed'],
];

/** Flags that belong to the other mode are usage errors, never silently ignored. */
export function checkModeFlags(flags: ModeFlags): void {
  checkCiFlags(flags);
  if (flags.daemon && flags.runOnce) {
    throw new UserError('usage', '--run-once and --daemon contradict each other', {
      hint: 'choose one mode',
    });
  }
  if (flags.daemon) {
    if (flags.at !== undefined) {
      throw new UserError('usage', '--at belongs to run-once', {
        hint: 'to evaluate the past continuously, use --daemon --replay-from <time>',
      });
    }
    if (flags.replaySpeed !== undefined && flags.replayFrom === undefined) {
      throw new UserError('usage', '--replay-speed needs --replay-from', {});
    }
    return;
  }
  const given = DAEMON_ONLY.filter(([key]) => flags[key] !== undefined).map(([, name]) => name);
  if (flags.server === false) given.push('--no-server');
  if (given.length > 0) {
    throw new UserError(
      'usage',
      `${given.join(', ')} belong${given.length === 1 ? 's' : ''} to daemon mode`,
      {
        hint: 'add --daemon, or drop the flag for a single check',
      },
    );
  }
}
