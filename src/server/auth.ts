import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'smartspec_pm_session';

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
export function sessionValue(token: string): string {
  return createHmac('sha256', token)
    .update('smartspec-production-monitor status page session v1')
    .digest('hex');
}

export function sessionCookie(token: string): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
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
