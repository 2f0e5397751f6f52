import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { renderStatusPage } from '../../src/server/page.js';
import { statusPageScript } from '../../src/server/page-script.js';

describe('status page script', () => {
  it('is the TypeScript client compiled to one strict browser script, safe inside a <script> element', () => {
    const script = statusPageScript();
    // Compiles as plain JavaScript: no type annotation or import is left in it.
    expect(() => new vm.Script(script)).not.toThrow();
    expect(script.startsWith('"use strict";')).toBe(true);
    expect(script).not.toMatch(/\bimport\b.*\bfrom\b|<\/script|<!--/i);
    expect(script).toContain('/api/status');
  });

  it('is inlined under the response nonce, the same script on every page', () => {
    const status = {
      version: '0.0.0',
      started_at: '2026-01-01T00:00:00.000Z',
      generated_at: '2026-01-01T00:00:00.000Z',
      interval_seconds: 60,
      last_cycle: null,
      specs: [],
    };
    const page = renderStatusPage({
      nonce: 'n0nce',
      status,
      history: [],
      pollSeconds: 15,
      chartRefreshSeconds: 60,
      defaultHours: 24,
    });
    expect(page).toContain(`<script nonce="n0nce">${statusPageScript()}</script>`);
  });
});
