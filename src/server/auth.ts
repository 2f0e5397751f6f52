import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import { UserError } from '../common/errors.js';
import { isLoopbackHost, normalizeHost } from '../workspace/network.js';

const SESSION_COOKIE = 'smartspec_pm_session';

/**
 * Constant-time equality of two secrets. Both sides are hashed first so the comparison takes the same
 * time whatever their lengths (timingSafeEqual itself needs equal lengths).
 */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/**
 * The cookie value that stands for the token: derived from it, so the cookie never carries the token
 * itself, survives a daemon restart, and stops working when the token changes.
 */
function sessionValue(token: string): string {
  return createHmac('sha256', token)
    .update('smartspec-production-monitor status page session v1')
    .digest('hex');
}

export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = part.slice(0, equals).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(equals + 1).trim());
  }
  return cookies;
}

/** True when the request carries the bearer token or the session cookie derived from it. */
export function isAuthorized(
  headers: { authorization?: string | undefined; cookie?: string | undefined },
  token: string,
): boolean {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer[ \t]+(.+)$/i.exec(authorization.trim());
    if (match && secretsEqual(match[1]!, token)) return true;
  }
  const session = parseCookies(headers.cookie).get(SESSION_COOKIE);
  return session !== undefined && secretsEqual(session, sessionValue(token));
}

/** `0.0.0.0` and `::`: every interface of the machine. */
function isWildcardHost(host: string): boolean {
  const normalized = normalizeHost(host);
  return normalized === '0.0.0.0' || normalized === '::' || normalized === '';
}

/**
 * A listener reachable beyond this machine without a token would hand the status, the history and
 * the reports to anyone on the network: refused unless `allowUnauthenticated` says it is meant.
 */
export function checkListenPolicy(listen: {
  host: string;
  port: number;
  token: string | null;
  allowUnauthenticated: boolean;
}): void {
  if (listen.token !== null || listen.allowUnauthenticated || isLoopbackHost(listen.host)) return;
  throw new UserError(
    'unauthenticated_listener',
    `refusing to listen on ${formatHostPort(listen.host, listen.port)} without a token: ` +
      'anyone who can reach it could read the status, the history and the reports',
    {
      field: 'server.token',
      hint:
        'set server.token (e.g. token: "{{env.MONITOR_TOKEN}}") in observability.yaml, listen on 127.0.0.1, ' +
        'or accept it explicitly with server.allow_unauthenticated: true or --allow-unauthenticated',
    },
  );
}

/** `host:port`, with brackets around an IPv6 address. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Whether a request's Host header names this server: localhost, a loopback address, the listen
 * address (any address of the machine when it listens on all of them) or a configured name. Anything
 * else is how DNS rebinding reaches a local server through a browser, and is refused. The port is not
 * compared: only a name the attacker controls makes rebinding possible. A request without a Host
 * header (HTTP/1.0 tools) comes from no browser and is let through.
 */
export function isAllowedHost(
  hostHeader: string | undefined,
  listenHost: string,
  allowedHosts: readonly string[],
  interfaceAddresses: () => readonly string[] = machineAddresses,
): boolean {
  if (hostHeader === undefined) return true;
  const host = normalizeHost(hostHeader);
  if (host === '' || hostHeader.includes('@')) return false;
  if (isLoopbackHost(host)) return true;
  if (allowedHosts.some((name) => normalizeHost(name) === host)) return true;
  if (isWildcardHost(listenHost)) return interfaceAddresses().some((address) => sameAddress(address, host));
  return sameAddress(normalizeHost(listenHost), host);
}

function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  // `::ffff:10.0.0.5` and `10.0.0.5` are one address.
  const strip = (x: string) => x.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return strip(a) === strip(b);
}

function machineAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .flatMap((info) => (info ? [normalizeHost(info.address.split('%')[0] ?? '')] : []));
}
