import net from 'node:net';
import { quoteForMessage } from './paths.js';
import type { NetworkDecision, SmartSpecSettings } from './types.js';

/** Lower-case host without brackets, port or trailing dot: `[::1]:9090` → `::1`. */
export function normalizeHost(host: string): string {
  let text = host.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1] ?? text;
  else if (text.split(':').length === 2) text = text.slice(0, text.indexOf(':'));
  return text.replace(/\.+$/, '');
}

/** localhost, 127.0.0.0/8, ::1 and IPv4-mapped 127.x (`::ffff:127.0.0.1`). */
export function isLoopbackHost(host: string): boolean {
  const normalized = normalizeHost(host);
  if (normalized === 'localhost') return true;
  if (net.isIPv4(normalized)) return normalized.startsWith('127.');
  if (!net.isIPv6(normalized)) return false;
  let canonical: string;
  try {
    canonical = new URL(`http://[${normalized}]/`).hostname.slice(1, -1);
  } catch {
    return false; // e.g. a zone id (fe80::1%eth0): link-local, not loopback
  }
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

/** `example.com` admits itself and its subdomains; `*.example.com` admits subdomains only. */
export function domainAllowed(host: string, allowlistDomains: readonly string[]): boolean {
  const normalized = normalizeHost(host);
  return allowlistDomains.some((raw) => {
    const entry = raw.trim().toLowerCase().replace(/\.+$/, '');
    if (entry.startsWith('*.')) return normalized.endsWith(entry.slice(1));
    const bare = entry.replace(/^\.+/, '');
    return bare !== '' && (normalized === bare || normalized.endsWith(`.${bare}`));
  });
}

/**
 * SmartSpec network policy (Handbook §8.2, `safety.network_policy`): loopback is always allowed;
 * 'deny' admits allowlisted domains, or every host when `--allow-network` is given.
 */
export function checkNetworkAllowed(
  host: string,
  settings: Pick<SmartSpecSettings, 'file' | 'networkPolicy'>,
  allowNetworkFlag: boolean,
): NetworkDecision {
  if (isLoopbackHost(host)) return { allowed: true };
  if (settings.networkPolicy.default === 'allow' || allowNetworkFlag) return { allowed: true };
  const normalized = normalizeHost(host);
  if (normalized !== '' && domainAllowed(normalized, settings.networkPolicy.allowlistDomains))
    return { allowed: true };

  const source = settings.file ?? 'built-in default, no usable .spec/smartspec.config.yaml';
  const shownHost = quoteForMessage(normalized === '' ? host : normalized, 200);
  return {
    allowed: false,
    message:
      `the SmartSpec network policy (${source}) denies host ${shownHost}; ` +
      `--allow-network or adding the domain to safety.network_policy.allowlist_domains allows it`,
    hint:
      `pass --allow-network to allow network access for this run, or add ${shownHost} to ` +
      `safety.network_policy.allowlist_domains in ${settings.file ?? '.spec/smartspec.config.yaml'}`,
  };
}
