import type { HttpHeaders } from '../common/http-headers.js';
import type { PrometheusProviderConfig } from '../config/types.js';

/**
 * Sets the Authorization header for `auth: { bearer }` or `auth: { basic }` and returns the secret values
 * to redact. Credentials always travel in the header, never as URL parameters (which servers log).
 */
export function applyAuth(auth: PrometheusProviderConfig['auth'], headers: HttpHeaders): string[] {
  if (auth.kind === 'bearer') {
    headers.set('authorization', `Bearer ${auth.token}`);
    return [auth.token];
  }
  if (auth.kind === 'basic') {
    const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    headers.set('authorization', `Basic ${encoded}`);
    return [auth.password, encoded];
  }
  return [];
}
