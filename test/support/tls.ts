/**
 * TLS for tests: a private CA and a server certificate for 127.0.0.1 made with the machine's
 * `openssl`, and a small HTTPS reverse proxy that puts them in front of a plain-HTTP backend
 * (e.g. the real Prometheus of test/support/prometheus.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export function findOpenssl(): string | null {
  const dirs = ['/usr/bin', ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.map((dir) => join(dir, 'openssl')).find((file) => existsSync(file)) ?? null;
}

export interface TestPki {
  dir: string;
  /** PEM of the CA that signed the server certificate. */
  caFile: string;
  /** PEM of another CA, which did not sign it. */
  otherCaFile: string;
  serverKey: Buffer;
  serverCert: Buffer;
  cleanup(): Promise<void>;
}

/** A CA, a server certificate for IP 127.0.0.1 signed by it, and an unrelated second CA. */
export async function makeTestPki(openssl: string): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'ssm-pki-'));
  const file = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: 'ignore', cwd: dir });
  const makeCa = (name: string) =>
    run([
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign'],
      ...['-keyout', file(`${name}.key`), '-out', file(`${name}.pem`)],
    ]);
  makeCa('test-ca');
  makeCa('other-ca');
  run([
    ...['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1'],
    ...['-keyout', file('server.key'), '-out', file('server.csr')],
  ]);
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run([
    ...['x509', '-req', '-in', file('server.csr'), '-CA', file('test-ca.pem'), '-CAkey', file('test-ca.key')],
    ...['-CAcreateserial', '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem')],
  ]);
  return {
    dir,
    caFile: file('test-ca.pem'),
    otherCaFile: file('other-ca.pem'),
    serverKey: await readFile(file('server.key')),
    serverCert: await readFile(file('server.pem')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface HttpsProxy {
  /** `https://127.0.0.1:<port>` */
  url: string;
  /** Requests forwarded so far. */
  readonly forwarded: number;
  close(): Promise<void>;
}

/** An HTTPS server that forwards every request (method, path, query, form body) to `target`. */
export async function startHttpsProxy(
  target: string,
  tls: { key: Buffer; cert: Buffer },
): Promise<HttpsProxy> {
  let forwarded = 0;
  const server: Server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const contentType = req.headers['content-type'];
        try {
          const upstream = await fetch(`${target}${req.url ?? '/'}`, {
            method: req.method ?? 'GET',
            headers: contentType ? { 'content-type': contentType } : {},
            ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
          });
          const body = Buffer.from(await upstream.arrayBuffer());
          forwarded++;
          res.writeHead(upstream.status, {
            'content-type': upstream.headers.get('content-type') ?? 'application/json',
          });
          res.end(body);
        } catch {
          res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream unreachable');
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
