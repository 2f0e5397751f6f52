import path from 'node:path';
import { UserError } from '../common/errors.js';
import type { ProcessSettingKey } from '../config/process-keys.js';
import type { ObservabilityConfig } from '../config/types.js';
import { formatHostPort } from '../server/auth.js';
import type { SpecRuntime } from './targets.js';

/** The command-line flags that set process-wide settings; undefined = not given. */
export interface DaemonFlags {
  /** `--listen` (host and port), `null` for `--no-server`. */
  listen?: { host: string; port: number } | null | undefined;
  /** `--state`. */
  statePath?: string | undefined;
  /** `--allow-unauthenticated`. */
  allowUnauthenticated?: boolean | undefined;
  /** `--allowed-host` (repeatable): added to `server.allowed_hosts`. */
  allowedHosts?: readonly string[] | undefined;
}

export interface ListenerSettings {
  host: string;
  port: number;
  token: string | null;
  allowUnauthenticated: boolean;
  allowedHosts: string[];
  /** Where host and port were set, named when they cannot be used. */
  origin: { field: string; file?: string };
}

/** Settings of the whole daemon process: one listener, one database, one retention. */
export interface DaemonSettings {
  /** null: no HTTP listener. */
  listener: ListenerSettings | null;
  database: { path: string; field: '--state' | 'storage.path' };
  retentionDays: number;
}

/** One observability file the daemon read, as it is named to the user (relative to the workspace). */
export interface SettingsSource {
  config: ObservabilityConfig;
  file: string;
}

/** Each distinct file of the monitored specs once (specs that share `.spec/observability.yaml` give one). */
export function settingsSourcesOf(runtimes: readonly SpecRuntime[]): SettingsSource[] {
  const seen = new Map<string, SettingsSource>();
  for (const { prepared } of runtimes) {
    if (seen.has(prepared.configFile)) continue;
    const file = path.relative(prepared.root, prepared.configFile) || prepared.configFile;
    seen.set(prepared.configFile, { config: prepared.config, file });
  }
  return [...seen.values()];
}

interface Setting<T> {
  value: T;
  /** The file that wrote it; null when no file did (the default). */
  file: string | null;
}

/**
 * One key across the files: the value the files that write it agree on, else the default. Two files
 * that write different values refuse the start (or the reload), naming both; a key a file leaves out
 * is no disagreement.
 */
function agreed<T>(
  key: ProcessSettingKey,
  sources: readonly SettingsSource[],
  rule: {
    valueOf: (config: ObservabilityConfig) => T;
    same: (a: T, b: T) => boolean;
    /** null: a secret, never shown. */
    show: (value: T) => string | null;
    /** The flag that sets it instead, for the hint. */
    flag?: string;
  },
): Setting<T> {
  let chosen: (Setting<T> & { line: number }) | null = null;
  for (const source of sources) {
    const line = source.config.writtenProcessKeys?.[key];
    if (line === undefined) continue;
    const value = rule.valueOf(source.config);
    if (chosen === null) {
      chosen = { value, file: source.file, line };
      continue;
    }
    if (rule.same(chosen.value, value)) continue;
    const first = `${chosen.file}:${chosen.line}`;
    const second = `${source.file}:${line}`;
    const shownFirst = rule.show(chosen.value);
    const shownSecond = rule.show(value);
    const message =
      shownFirst === null || shownSecond === null
        ? `\`${key}\` differs between ${first} and ${second} (a secret: the values are not shown)`
        : `\`${key}\` is ${shownFirst} in ${first} but ${shownSecond} in ${second}`;
    throw new UserError('config', `${message}; it is one setting for the whole daemon`, {
      location: { file: source.file, line },
      field: key,
      hint: `write it once in a shared .spec/observability.yaml (and remove it from the specs' files), or the same in every file${rule.flag ? `, or give ${rule.flag}, which wins over every file` : ''}`,
    });
  }
  if (chosen) return { value: chosen.value, file: chosen.file };
  return { value: rule.valueOf(sources[0]!.config), file: null };
}

const sameValue = <T>(a: T, b: T) => a === b;
const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((item) => b.includes(item));

/**
 * The process-wide settings, built once from every file the daemon reads and the flags. The rule: a
 * flag wins over every file; otherwise the files that write a key must agree on it (a file that leaves
 * it out has no say), and the default applies when none writes it. Keys of the listener are only
 * compared when there is a listener. Throws a UserError (exit 2) naming both files on a disagreement.
 */
export function daemonSettings(
  sources: readonly SettingsSource[],
  flags: DaemonFlags,
  root: string,
): DaemonSettings {
  if (sources.length === 0) throw new Error('daemonSettings needs at least one observability file');
  const retention = agreed('storage.retention', sources, {
    valueOf: (c) => c.storage.retentionDays,
    same: sameValue,
    show: (days) => `${days}d`,
  });
  const database: DaemonSettings['database'] =
    flags.statePath === undefined
      ? {
          path: agreed('storage.path', sources, {
            valueOf: (c) => c.storage.path,
            same: (a, b) => path.resolve(root, a) === path.resolve(root, b),
            show: (p) => JSON.stringify(p),
            flag: '--state',
          }).value,
          field: 'storage.path',
        }
      : { path: flags.statePath, field: '--state' };
  return { listener: listenerOf(sources, flags), database, retentionDays: retention.value };
}

function listenerOf(sources: readonly SettingsSource[], flags: DaemonFlags): ListenerSettings | null {
  let address: { host: string; port: number };
  let origin: ListenerSettings['origin'];
  if (flags.listen === null) return null;
  if (flags.listen !== undefined) {
    address = flags.listen;
    origin = { field: '--listen' };
  } else {
    const enabled = agreed('server.enabled', sources, {
      valueOf: (c) => c.server.enabled,
      same: sameValue,
      show: String,
      flag: '--listen or --no-server',
    });
    if (!enabled.value) return null;
    const listen = agreed('server.listen', sources, {
      valueOf: (c) => ({ host: c.server.host, port: c.server.port }),
      same: (a, b) => a.host === b.host && a.port === b.port,
      show: (a) => formatHostPort(a.host, a.port),
      flag: '--listen',
    });
    address = listen.value;
    origin = { field: 'server.listen', file: listen.file ?? sources[0]!.file };
  }
  const token = agreed('server.token', sources, {
    valueOf: (c) => c.server.token,
    same: sameValue,
    show: () => null,
  });
  const allowUnauthenticated = flags.allowUnauthenticated
    ? true
    : agreed('server.allow_unauthenticated', sources, {
        valueOf: (c) => c.server.allowUnauthenticated,
        same: sameValue,
        show: String,
        flag: '--allow-unauthenticated',
      }).value;
  const allowedHosts = agreed('server.allowed_hosts', sources, {
    valueOf: (c) => c.server.allowedHosts,
    same: sameSet,
    show: (hosts) => JSON.stringify(hosts),
  });
  return {
    host: address.host,
    port: address.port,
    token: token.value,
    allowUnauthenticated,
    allowedHosts: [...allowedHosts.value, ...(flags.allowedHosts ?? [])],
    origin,
  };
}

/** Settings the running daemon cannot change in place (its socket, its open database). */
export function restartOnlyChanges(before: DaemonSettings | null, after: DaemonSettings): string[] {
  if (before === null) return [];
  const changed: string[] = [];
  if (JSON.stringify(before.listener) !== JSON.stringify(after.listener)) changed.push('the listener');
  if (JSON.stringify(before.database) !== JSON.stringify(after.database)) changed.push('the database');
  return changed;
}
