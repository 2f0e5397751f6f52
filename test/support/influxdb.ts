/**
 * A REAL InfluxDB 1.x (Debian `influxd`) for tests: config, meta, data and WAL in a temp folder, HTTP and
 * RPC on free loopback ports, authentication on with one admin user, history written with line protocol.
 *
 *   const influx = await startInfluxdb({ username, password, database: 'app', lines });
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './prometheus.js';
import { findBinary, type RunningServer, startServer } from './server-process.js';

export function influxdbSkipReason(): string | null {
  return findBinary('influxd')
    ? null
    : 'skipped: influxd was not found (install the Debian "influxdb" package)';
}

export interface InfluxdbOptions {
  username: string;
  password: string;
  database: string;
  /** Line protocol, timestamps in seconds. */
  lines: string[];
  /** Authentication on (default): the user is created as admin. Off: no user, any request is served. */
  auth?: boolean;
}

export async function startInfluxdb(options: InfluxdbOptions): Promise<RunningServer> {
  const binary = findBinary('influxd');
  if (!binary) throw new Error(influxdbSkipReason() ?? 'influxd not found');
  const server = await startServer({
    name: 'influxdb',
    binary,
    readyPath: '/ping',
    async args(root, port) {
      const rpcPort = await freePort();
      const config = join(root, 'influxdb.conf');
      await writeFile(
        config,
        `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = ${JSON.stringify(join(root, 'meta'))}
[data]
  dir = ${JSON.stringify(join(root, 'data'))}
  wal-dir = ${JSON.stringify(join(root, 'wal'))}
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  auth-enabled = ${options.auth ?? true}
  # The access log shows each request line as received: tests check its method and that no credential is in it.
  log-enabled = true
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
      );
      return ['-config', config];
    },
  });
  try {
    const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    // With authentication on and no user yet, InfluxDB accepts exactly this statement without credentials.
    if (options.auth ?? true)
      await influx(server.url, '/query', {
        q: `CREATE USER "${options.username}" WITH PASSWORD '${options.password}' WITH ALL PRIVILEGES`,
      });
    await influx(server.url, '/query', { q: `CREATE DATABASE "${options.database}"` }, basic);
    await influx(
      server.url,
      `/write?db=${encodeURIComponent(options.database)}&precision=s`,
      options.lines.join('\n'),
      basic,
    );
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function influx(
  base: string,
  path: string,
  body: Record<string, string> | string,
  authorization?: string,
): Promise<void> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      ...(authorization ? { authorization } : {}),
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/x-www-form-urlencoded',
    },
    body: typeof body === 'string' ? body : new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  if (!response.ok || text.includes('"error"')) {
    throw new Error(`InfluxDB ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  }
}
