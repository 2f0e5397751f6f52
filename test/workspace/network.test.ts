import { describe, expect, it } from 'vitest';
import { checkNetworkAllowed, defaultSmartSpecSettings, isLoopbackHost } from '../../src/workspace/index.js';

const deny = defaultSmartSpecSettings();
const withFile = {
  ...deny,
  file: '/project/.spec/smartspec.config.yaml',
  networkPolicy: { default: 'deny' as const, allowlistDomains: ['example.com', '*.datadoghq.eu'] },
};

describe('checkNetworkAllowed', () => {
  it.each([
    'localhost',
    'LOCALHOST.',
    '127.0.0.1',
    '127.12.0.9',
    '::1',
    '[::1]',
    '[::1]:9090',
    'localhost:9090',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ])('always allows loopback %s', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(checkNetworkAllowed(host, deny, false)).toEqual({ allowed: true });
  });

  it.each([
    '127.0.0.1.evil.com',
    'localhost.evil.com',
    '128.0.0.1',
    '::2',
    '10.0.0.1',
    'evillocalhost',
    'fe80::1%eth0',
    '',
  ])('does not treat %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    expect(checkNetworkAllowed(host, deny, false).allowed).toBe(false);
  });

  it('allows everything with --allow-network or policy allow', () => {
    expect(checkNetworkAllowed('api.datadoghq.com', deny, true)).toEqual({ allowed: true });
    const allow = { ...deny, networkPolicy: { default: 'allow' as const, allowlistDomains: [] } };
    expect(checkNetworkAllowed('api.datadoghq.com', allow, false)).toEqual({ allowed: true });
  });

  it('allows allowlisted domains and their subdomains; *. entries only subdomains', () => {
    expect(checkNetworkAllowed('example.com', withFile, false).allowed).toBe(true);
    expect(checkNetworkAllowed('Prom.EXAMPLE.com:443', withFile, false).allowed).toBe(true);
    expect(checkNetworkAllowed('api.datadoghq.eu', withFile, false).allowed).toBe(true);
    expect(checkNetworkAllowed('datadoghq.eu', withFile, false).allowed).toBe(false);
    expect(checkNetworkAllowed('evilexample.com', withFile, false).allowed).toBe(false);
    expect(checkNetworkAllowed('example.com.evil.org', withFile, false).allowed).toBe(false);
  });

  it('explains the denial: policy file, host, and both ways to allow it', () => {
    const decision = checkNetworkAllowed('api.datadoghq.com', withFile, false);
    expect(decision).toEqual({
      allowed: false,
      message:
        'the SmartSpec network policy (/project/.spec/smartspec.config.yaml) denies host "api.datadoghq.com"; ' +
        '--allow-network or adding the domain to safety.network_policy.allowlist_domains allows it',
      hint:
        'pass --allow-network to allow network access for this run, or add "api.datadoghq.com" to ' +
        'safety.network_policy.allowlist_domains in /project/.spec/smartspec.config.yaml',
    });
  });

  it('names the built-in default when no config is in effect', () => {
    const decision = checkNetworkAllowed('prometheus.prod', deny, false);
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) {
      expect(decision.message).toContain('(built-in default, no usable .spec/smartspec.config.yaml)');
      expect(decision.hint).toContain('in .spec/smartspec.config.yaml');
    }
  });
});
