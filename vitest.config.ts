import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-promql.ts'],
    // Upper bounds only: tests wait for states, and a replayed daemon waits for each of its cycles, so
    // a machine shared with other work needs longer to get there, never to another result.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // Real servers (Prometheus, Alertmanager, Chromium) and child processes share two cores.
    maxWorkers: 2,
  },
});
