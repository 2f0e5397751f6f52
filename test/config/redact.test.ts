import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ObservabilityConfig, parseObservabilityConfig, Redactor } from '../../src/config/index.js';
import { defaultSmartSpecSettings } from '../../src/workspace/settings.js';

describe('Redactor', () => {
  it('redacts exactly as its patterns one after another would, whatever their flags and groups', () => {
    const patterns = [
      ...defaultSmartSpecSettings().redactionPatterns,
      { name: 'line start', regex: /^tok-[a-z]+$/m },
      { name: 'dotall', regex: /begin.end/s },
      { name: 'case', regex: /Secret-\d+/ },
    ];
    const withBackreference = [...patterns, { name: 'twice', regex: /(ab)\1/ }];
    const fragment = fc.constantFrom(
      'AKIA',
      'asia',
      'ABCDEFGHIJKLMNOP',
      'ghp_',
      'xoxb-',
      'Bearer ',
      'bearer  ',
      'aws_secret_access_key = ',
      '-----BEGIN RSA KEY-----',
      'tok-',
      'abc',
      'begin',
      '\n',
      'end',
      'secret-1',
      'Secret-2',
      'abab',
      ' ',
      'x',
      '0123456789abcdefghij',
      '/+=',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        for (const set of [patterns, withBackreference]) {
          const oneByOne = set.reduce((t, pattern) => new Redactor([], [pattern]).redact(t), text);
          expect(new Redactor([], set).redact(text)).toBe(oneByOne);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('replaces a known secret value everywhere in a text', () => {
    const redactor = new Redactor(['s3cr3t-api-key'], []);
    expect(redactor.redact('GET /q?api_key=s3cr3t-api-key failed; key s3cr3t-api-key')).toBe(
      'GET /q?api_key=[REDACTED] failed; key [REDACTED]',
    );
  });

  it('replaces the longest secret first and leaves values shorter than 4 characters inside text', () => {
    const redactor = new Redactor(['abcd', 'abcdefgh', 'xyz', ''], []);
    expect(redactor.redact('abcdefgh abcd xyz')).toBe('[REDACTED] [REDACTED] xyz');
  });

  it('also catches the percent-encoded form of a secret', () => {
    const redactor = new Redactor(['p@ss word/1'], []);
    expect(redactor.redact('url=https://h/?t=p%40ss%20word%2F1')).toBe('url=https://h/?t=[REDACTED]');
  });

  it('marks pattern matches with the pattern name, with or without the g flag', () => {
    const redactor = new Redactor(
      ['known-secret'],
      [
        { name: 'bearer', regex: /Bearer [A-Za-z0-9._-]+/i },
        { name: 'aws-key', regex: /AKIA[0-9A-Z]{16}/g },
        { name: '$&', regex: /zz+/ },
      ],
    );
    expect(
      redactor.redact('Authorization: bearer eyJ.abc and AKIAABCDEFGHIJKLMNOP, AKIAABCDEFGHIJKLMNOQ; zzz'),
    ).toBe('Authorization: [REDACTED:bearer] and [REDACTED:aws-key], [REDACTED:aws-key]; [REDACTED:$&]');
    // Reusable: a global regex keeps no state between calls.
    expect(redactor.redact('AKIAABCDEFGHIJKLMNOP')).toBe('[REDACTED:aws-key]');
    expect(redactor.redact('known-secret')).toBe('[REDACTED]');
  });

  it('walks JSON-like values without changing the original', () => {
    const redactor = new Redactor(['tok-123456'], []);
    const input = {
      status: 'ok',
      count: 3,
      nested: [{ header: 'Bearer tok-123456', flag: true, none: null }],
      'tok-123456': 'as a key',
    };
    const output = redactor.redactDeep(input);
    expect(output).toEqual({
      status: 'ok',
      count: 3,
      nested: [{ header: 'Bearer [REDACTED]', flag: true, none: null }],
      '[REDACTED]': 'as a key',
    });
    expect(input.nested[0]?.header).toBe('Bearer tok-123456');
    expect(redactor.redactDeep('tok-123456!')).toBe('[REDACTED]!');
    expect(redactor.redactDeep(42)).toBe(42);
  });

  it('removes the secrets a loaded config read from the environment', () => {
    const env = { DD_API_KEY: 'dd-key-4c1f0a', DD_APP_KEY: 'dd-app-77aa0b' };
    const result = parseObservabilityConfig(
      'provider: datadog\napi_key: env:DD_API_KEY\napp_key: "{{env.DD_APP_KEY}}"\n',
      'obs.yaml',
      env,
    );
    const config = result.config as ObservabilityConfig;
    const redactor = new Redactor(config.secretValues, []);
    const log = JSON.stringify({
      headers: { 'DD-API-KEY': env.DD_API_KEY, 'DD-APPLICATION-KEY': env.DD_APP_KEY },
    });
    const redacted = redactor.redact(log);
    expect(redacted).not.toContain(env.DD_API_KEY);
    expect(redacted).not.toContain(env.DD_APP_KEY);
    expect(JSON.parse(redacted)).toEqual({
      headers: { 'DD-API-KEY': '[REDACTED]', 'DD-APPLICATION-KEY': '[REDACTED]' },
    });
  });

  it('leaves no trace of an alphanumeric secret wherever it stands as a value of its own', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{4,24}$/),
        fc.stringMatching(/^(.*[^A-Za-z0-9_])?$/),
        fc.stringMatching(/^([^A-Za-z0-9_].*)?$/),
        (secret, before, after) => {
          const redacted = new Redactor([secret], []).redact(`${before}${secret}${after}`);
          expect(redacted).not.toContain(secret);
          expect(redacted).toContain('[REDACTED]');
        },
      ),
    );
  });

  it('never replaces part of another value: a secret URL does not eat into a longer address', () => {
    // e.g. PROMETHEUS_URL=http://127.0.0.1:9 must not turn the listen address into `[REDACTED]464`.
    const redactor = new Redactor(['http://127.0.0.1:9', 'abcd'], []);
    expect(redactor.redact('status page at http://127.0.0.1:9464/')).toBe(
      'status page at http://127.0.0.1:9464/',
    );
    expect(redactor.redact('backend http://127.0.0.1:9 refused')).toBe('backend [REDACTED] refused');
    expect(redactor.redact('backend http://127.0.0.1:9/api/v1/query failed')).toBe(
      'backend [REDACTED]/api/v1/query failed',
    );
    expect(redactor.redact('abcdef abcd_x xabcd abcd.')).toBe('abcdef abcd_x xabcd [REDACTED].');
  });

  it('replaces a secret shorter than 4 characters only where it is a whole string', () => {
    const redactor = new Redactor(['9', 'on'], []);
    expect(redactor.redact('listening on 127.0.0.1:9464, 9 series')).toBe(
      'listening on 127.0.0.1:9464, 9 series',
    );
    expect(redactor.redact('9')).toBe('[REDACTED]');
    expect(redactor.redactDeep({ token: 'on', mode: 'online' })).toEqual({
      token: '[REDACTED]',
      mode: 'online',
    });
  });
});

describe('secrets too short to redact inside text', () => {
  it('are accepted with a warning that names the variable, and never blank out other text', () => {
    const result = parseObservabilityConfig(
      'provider: prometheus\nurl: http://127.0.0.1:9090\nauth: { bearer: "{{env.PROM_TOKEN}}" }\n',
      'obs.yaml',
      { PROM_TOKEN: '9' },
    );
    expect(result.config).not.toBeNull();
    const warning = result.diagnostics.find((d) => d.field === 'auth.bearer');
    expect(warning).toMatchObject({ severity: 'warning', line: 3 });
    expect(warning!.message).toContain('the value of PROM_TOKEN is shorter than 4 characters');
    const redactor = new Redactor(result.config!.secretValues, []);
    expect(redactor.redact('listening on http://127.0.0.1:9464')).toBe('listening on http://127.0.0.1:9464');
  });
});
