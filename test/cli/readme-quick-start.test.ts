import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareCheck } from '../../src/pipeline/index.js';
import type { Workspace } from '../e2e/support.js';
import { AUTH_OBS_PATH, AUTH_SPEC_PATH, makeWorkspace } from '../e2e/support.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The README's fenced blocks of one language whose text contains `marker`. */
function block(language: string, marker: string): string {
  const blocks = [...README.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (match) => match[1] ?? '',
  );
  const found = blocks.find((text) => text.includes(marker));
  if (found === undefined) throw new Error(`README has no \`\`\`${language} block with "${marker}"`);
  return found;
}

let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** The quick start's own files, checked up to (not including) the first query: nothing is sent anywhere. */
async function prepareQuickStart(files: Record<string, string>, allowNetwork: boolean) {
  ws = await makeWorkspace({
    [AUTH_SPEC_PATH]: `# Authentication\n\n${block('markdown', 'Non-Functional Requirements')}`,
    [AUTH_OBS_PATH]: block('yaml', 'provider: prometheus'),
    ...files,
  });
  return prepareCheck({
    root: ws.root,
    specId: 'spec-core-001-authentication',
    allowNetwork,
    env: { PROMETHEUS_TOKEN: 'quick-start-token' },
    userAgent: 'test',
  });
}

describe('README quick start with a non-loopback Prometheus', () => {
  it('is refused by the default network policy when the README’s settings are left out', async () => {
    await expect(prepareQuickStart({}, false)).rejects.toMatchObject({
      code: 'network_denied',
      message: expect.stringContaining('prometheus.internal'),
    });
  });

  it('passes the network policy with the README’s .spec/smartspec.config.yaml', async () => {
    const prepared = await prepareQuickStart(
      { '.spec/smartspec.config.yaml': block('yaml', 'allowlist_domains') },
      false,
    );
    expect([...prepared.providers.keys()]).toEqual(['default']);
    expect(prepared.plan.checks.map((c) => c.nfr.metric)).toEqual([
      'api_latency_p99',
      'api_error_rate',
      'api_uptime',
    ]);
  });

  it('passes the network policy with --allow-network instead', async () => {
    const prepared = await prepareQuickStart({}, true);
    expect(prepared.providers.get('default')?.host).toBe('prometheus.internal');
  });
});
