/**
 * A REAL single-node VictoriaMetrics (Debian `victoria-metrics`) for tests: storage in a temp folder,
 * a free loopback port, 100 years of retention, and the history imported over HTTP in Prometheus text
 * format (timestamps in milliseconds).
 *
 *   const vm = await startVictoriaMetrics(standardHistory());
 */
import { join } from 'node:path';
import { type HistoryOptions, renderOpenMetrics } from './prometheus.js';
import { findBinary, type RunningServer, startServer } from './server-process.js';

export function victoriaMetricsSkipReason(): string | null {
  return findBinary('victoria-metrics')
    ? null
    : 'skipped: victoria-metrics was not found (install the Debian "victoria-metrics" package)';
}

export async function startVictoriaMetrics(history: HistoryOptions): Promise<RunningServer> {
  const binary = findBinary('victoria-metrics');
  if (!binary) throw new Error(victoriaMetricsSkipReason() ?? 'victoria-metrics not found');
  const server = await startServer({
    name: 'victoria-metrics',
    binary,
    readyPath: '/health',
    args: (root, port) => [
      `-storageDataPath=${join(root, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-retentionPeriod=100y',
      // Queries at an explicit time see every imported sample, not only those older than 30 s.
      '-search.latencyOffset=0s',
    ],
  });
  try {
    const day = 86_400;
    for (let from = history.start; from <= history.end; from += day) {
      const text = toImportFormat(renderOpenMetrics(history, from, from + day));
      const response = await fetch(`${server.url}/api/v1/import/prometheus`, { method: 'POST', body: text });
      if (!response.ok) throw new Error(`import answered ${response.status}: ${await response.text()}`);
    }
    // Imported rows become searchable after a flush (normally up to a second later).
    const flushed = await fetch(`${server.url}/internal/force_flush`);
    await flushed.arrayBuffer();
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** OpenMetrics (seconds, `# TYPE`, `# EOF`) → the Prometheus text format VictoriaMetrics imports (ms). */
function toImportFormat(openMetrics: string): string {
  return openMetrics
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const cut = line.lastIndexOf(' ');
      return `${line.slice(0, cut)} ${Number(line.slice(cut + 1)) * 1000}`;
    })
    .join('\n');
}
