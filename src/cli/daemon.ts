import { replayClock, systemClock } from '../common/clock.js';
import { UserError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import { Redactor } from '../config/index.js';
import { createLogger, Daemon } from '../daemon/index.js';
import { loadWorkspace } from '../pipeline/index.js';
import { resolveOutputBase } from '../workspace/index.js';
import { EXIT } from './exit-codes.js';
import { gateOf } from './gate.js';
import type { CommonOptions } from './options.js';
import { allSpecIds, obsConfigOf, parseAt, parseListen, parsePositiveNumber } from './options.js';
import type { Output } from './output.js';
import type { ModeFlags } from './run-flags.js';
import { checkModeFlags } from './run-flags.js';

export const SHUTDOWN_TIMEOUT_MS = 20_000;

/** `--daemon`: runs until SIGTERM/SIGINT (exit 0); SIGHUP or a changed spec/config file reloads. */
export async function daemon(
  positional: string | undefined,
  options: CommonOptions & ModeFlags,
  output: Output,
): Promise<number> {
  checkModeFlags(options);
  gateOf({ ...options, daemon: true });
  const specIds = allSpecIds(positional, options.specId);
  if (options.all && specIds.length > 0) {
    throw new UserError('usage', '--all and a spec id contradict each other', {
      hint: 'either name the specs (--spec-id, repeatable) or monitor all of them with --all',
    });
  }
  if (!options.all && specIds.length === 0) {
    throw new UserError('usage', 'no spec to monitor', {
      hint: 'smartspec-production-monitor --spec-id <spec-id> --daemon   (or --all)',
    });
  }
  const intervalSeconds =
    options.interval === undefined ? 60 : parsePositiveNumber('--interval', options.interval, 1);
  const now = systemClock.now();
  const clock =
    options.replayFrom === undefined
      ? systemClock
      : replayClock(
          parseAt(options.replayFrom, now, '--replay-from'),
          options.replaySpeed === undefined
            ? 1
            : parsePositiveNumber('--replay-speed', options.replaySpeed, 0.001),
        );
  const { root, settings } = loadWorkspace({ root: options.root, smartspecConfig: options.config });
  const outputBase = resolveOutputBase(root, options.out, settings);

  // Secrets are only known once the configs are read (and change on reload): ask the daemon each time.
  const patterns = new Redactor([], settings.redactionPatterns);
  let instance: Daemon | undefined;
  const logger = createLogger({
    level: options.verbose ? 'debug' : options.quiet ? 'warn' : 'info',
    redact: (text) => (instance ? instance.redactor() : patterns).redact(text),
  });
  instance = new Daemon({
    root,
    smartspecConfig: options.config,
    obsConfig: obsConfigOf(options),
    allowNetwork: Boolean(options.allowNetwork),
    env: process.env,
    userAgent: `smartspec-production-monitor/${VERSION}`,
    specIds,
    all: Boolean(options.all),
    intervalSeconds,
    outputBase,
    statePath: options.state,
    listen:
      options.server === false
        ? null
        : options.listen === undefined
          ? undefined
          : parseListen(options.listen),
    allowUnauthenticated: Boolean(options.allowUnauthenticated),
    allowedHosts: options.allowedHost ?? [],
    clock,
    logger,
    version: VERSION,
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
  });
  // Handlers go in before start(): a signal that arrives while it runs (or right after it logs
  // `started`) must stop the daemon cleanly, not kill it with the default handler.
  let started = false;
  let pendingStop: NodeJS.Signals | null = null;
  let signals = 0;
  const onStop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ event: 'forced_exit', signal }, 'second signal: exiting now');
      process.exit(EXIT.unhealthy);
    }
    if (started) void instance.stop(signal);
    else pendingStop = signal;
  };
  process.on('SIGTERM', onStop);
  process.on('SIGINT', onStop);
  process.on('SIGHUP', () => {
    if (started) void instance.reload('SIGHUP');
  });
  await instance.start();
  started = true;
  output.setRedactor(instance.redactor());
  const running = instance;
  if (pendingStop !== null) {
    await running.stop(pendingStop);
    return EXIT.healthy;
  }
  await running.run();
  await running.stop('loop ended');
  // It stopped on its own (its database was deleted or replaced): say why, and exit non-zero.
  if (running.failure) throw running.failure;
  return EXIT.healthy;
}
