import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-promql.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real servers (Prometheus, Alertmanager, Chromium) and child processes share two cores.
    maxWorkers: 2,
  },
});
