import { UserError } from '../common/errors.js';
import { VERSION } from '../common/version.js';
import type { CheckOptions } from '../pipeline/index.js';

/** Flags shared by every subcommand (SmartSpec's universal flags plus the monitor's own). */
export interface CommonOptions {
  /** Repeatable; run-once and validate take exactly one. */
  specId?: string[];
  root: string;
  config?: string;
  obsConfig?: string;
  sloConfig?: string;
  allowNetwork?: boolean;
  lang: string;
  platform: string;
  apply?: boolean;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  at?: string;
}

export const LANGS = ['en', 'th'] as const;
export const PLATFORMS = ['cli', 'kilo', 'ci', 'other'] as const;

/** The spec-id from `--spec-id` or the positional argument; both given and different is a usage error. */
export function pickSpecId(positional: string | undefined, flags: string[] | undefined): string {
  if (flags && flags.length > 1) {
    throw new UserError('usage', `--spec-id given ${flags.length} times; this mode checks one spec`, {
      hint: 'several specs are monitored together with --daemon (repeat --spec-id, or use --all)',
    });
  }
  const flag = flags?.[0];
  if (positional && flag && positional !== flag) {
    throw new UserError('usage', `two different spec ids given: "${positional}" and --spec-id "${flag}"`, {
      hint: 'give the spec id once, either as the first argument or with --spec-id',
    });
  }
  const id = flag ?? positional;
  if (!id) {
    throw new UserError('usage', 'no spec id given', {
      hint: 'smartspec-production-monitor --spec-id <spec-id> --run-once   (see --help)',
    });
  }
  return id;
}

/** A time flag (`--at`, `--from`, `--to`, `--replay-from`...): RFC 3339 or Unix seconds, not in the future. */
export function parseAt(text: string | undefined, now: Date, flag = '--at'): Date {
  if (text === undefined) return now;
  const trimmed = text.trim();
  let at: Date | null = null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) at = new Date(Number(trimmed) * 1000);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed))
    at = new Date(trimmed);
  if (!at || Number.isNaN(at.getTime())) {
    // The flag is the error's field: the message does not repeat it.
    throw new UserError('usage', `"${text}" is not a time`, {
      field: flag,
      hint: 'use RFC 3339 (2026-11-27T04:00:00Z) or Unix seconds (1795752000)',
    });
  }
  if (at.getTime() > now.getTime() + 60_000) {
    throw new UserError('usage', `${at.toISOString()} is in the future`, { field: flag });
  }
  return at;
}

export function obsConfigOf(options: CommonOptions): string | undefined {
  if (options.obsConfig && options.sloConfig && options.obsConfig !== options.sloConfig) {
    throw new UserError('usage', '--obs-config and --slo-config name different files', {
      hint: '--slo-config is an alias of --obs-config; give one of them',
    });
  }
  return options.obsConfig ?? options.sloConfig;
}

/** Every spec id given (positional and repeated --spec-id), without duplicates. */
export function allSpecIds(positional: string | undefined, flags: string[] | undefined): string[] {
  return [...new Set([...(positional ? [positional] : []), ...(flags ?? [])])];
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) {
    throw new UserError('usage', `"${text}" is not host:port`, {
      field: '--listen',
      hint: 'e.g. --listen 127.0.0.1:9464; to listen on every interface say 0.0.0.0:9464 and set server.token',
    });
  }
  // Like `server.listen` in observability.yaml: no host means loopback, never every interface.
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

export function parsePositiveNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min) {
    throw new UserError('usage', `"${text}" must be a number ≥ ${min}`, { field: flag });
  }
  return value;
}

/** The pipeline's options from the CLI's: one place that maps flags to what a check needs. */
export function checkOptionsOf(
  options: CommonOptions & { allowNetwork?: boolean },
  specId: string,
  mode: { offline?: boolean } = {},
): CheckOptions {
  return {
    root: options.root,
    smartspecConfig: options.config,
    specId,
    obsConfig: obsConfigOf(options),
    allowNetwork: !mode.offline && Boolean(options.allowNetwork),
    env: process.env,
    userAgent: `smartspec-production-monitor/${VERSION}`,
    ...(mode.offline ? { offline: true } : {}),
  };
}
