/**
 * The container image definition, read as a Dockerfile (no container engine runs here): a multi-stage
 * build on Node 20 slim, a non-root numeric user, the daemon in the foreground as the entrypoint,
 * SIGTERM, a HEALTHCHECK without curl, reports on a volume, and a build context that holds every file
 * the build copies. The HEALTHCHECK is run against a real daemon in test/e2e/container-healthcheck.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEPLOY,
  type DockerInstruction,
  execForm,
  healthcheckOf,
  PROJECT_ROOT,
  parseDockerfile,
  readDeployFile,
  shippedDockerfile,
} from './support.js';

const { stages, runtime } = shippedDockerfile();
const all = (stage: readonly DockerInstruction[], name: string) =>
  stage.filter((instruction) => instruction.name === name);
const last = (stage: readonly DockerInstruction[], name: string) => all(stage, name).at(-1)?.args;

describe('Dockerfile: build', () => {
  it('has a build stage that installs, builds and prunes, and a separate Node 20 slim runtime', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0] ?? [];
    const runs = all(build, 'RUN').map((i) => i.args);
    const ci = runs.findIndex((r) => /\bnpm ci\b/.test(r));
    const compile = runs.findIndex((r) => /\bnpm run build\b/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(compile).toBeGreaterThan(ci);
    expect(runs[compile]).toMatch(/npm prune --omit=dev/);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:20(\.[\d.]+)?-[a-z]+-slim\b/);
    // The runtime takes only built output and production modules from the build stage.
    const fromBuild = all(runtime, 'COPY').filter((i) => i.args.startsWith('--from=build'));
    expect(fromBuild.map((i) => i.args.split(/\s+/)[1])).toEqual([
      '/app/package.json',
      '/app/node_modules',
      '/app/dist',
    ]);
    expect(
      all(runtime, 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).not.toMatch(/\bnpm\b|g\+\+|make/);
  });

  it('every path a COPY takes from the context exists and is not excluded by the ignore file', () => {
    const ignore = readDeployFile('container/Dockerfile.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    // The file is an allowlist: everything excluded, then the needed paths re-included.
    expect(ignore[0]).toBe('*');
    const included = new Set(ignore.slice(1).map((l) => l.replace(/^!/, '')));
    const sources = stages
      .flatMap((stage) => all(stage, 'COPY'))
      .filter((i) => !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(fs.existsSync(path.join(PROJECT_ROOT, source)), source).toBe(true);
      expect(included.has(source), `${source} is excluded from the build context`).toBe(true);
    }
  });

  it('the ignore file sits where BuildKit looks for it: beside the Dockerfile, named after it', () => {
    expect(fs.existsSync(path.join(DEPLOY, 'container/Dockerfile.dockerignore'))).toBe(true);
  });
});

describe('Dockerfile: runtime', () => {
  it('runs as a numeric non-root user', () => {
    const user = last(runtime, 'USER') ?? 'root';
    const [uid, gid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(gid ?? uid)).toBeGreaterThan(0);
    // USER comes after every RUN: nothing after it runs as root.
    const userIndex = runtime.findLastIndex((i) => i.name === 'USER');
    expect(runtime.slice(userIndex).some((i) => i.name === 'RUN')).toBe(false);
  });

  it('keeps reports and the state database on a volume the user owns, so the root fs can be read-only', () => {
    const workdir = last(runtime, 'WORKDIR');
    expect(workdir).toBe('/workspace');
    expect(execForm(last(runtime, 'VOLUME') ?? '[]')).toEqual(['/workspace/.spec/reports']);
    const uid = (last(runtime, 'USER') ?? '').split(':')[0];
    expect(all(runtime, 'RUN').map((i) => i.args)).toContainEqual(
      expect.stringMatching(new RegExp(`install -d -o ${uid} -g \\d+ .*/workspace/\\.spec/reports$`)),
    );
  });

  it('starts the daemon in the foreground on the workspace and stops it with SIGTERM', () => {
    expect(execForm(last(runtime, 'ENTRYPOINT') ?? '[]')).toEqual([
      'node',
      '/app/dist/cli/main.js',
      '--daemon',
      '--root',
      '/workspace',
    ]);
    expect(last(runtime, 'STOPSIGNAL')).toBe('SIGTERM');
    const cmd = execForm(last(runtime, 'CMD') ?? '[]');
    const listen = cmd[cmd.indexOf('--listen') + 1] ?? '';
    expect(last(runtime, 'EXPOSE')).toBe(listen.split(':').at(-1));
  });

  it('checks health with node (the slim image has no curl), on the port the daemon listens on', () => {
    const health = healthcheckOf(runtime);
    expect(health).not.toBeNull();
    expect(health?.command[0]).toBe('node');
    expect(health?.command.join(' ')).toContain('/healthz');
    expect(health?.command.join(' ')).not.toMatch(/\bcurl\b|\bwget\b/);
    const cmd = execForm(last(runtime, 'CMD') ?? '[]');
    const port = (cmd[cmd.indexOf('--listen') + 1] ?? '').split(':').at(-1);
    const env = last(runtime, 'ENV') ?? '';
    expect(env).toContain(`SMARTSPEC_PM_HEALTH_PORT=${port}`);
    // Docker's defaults would wait 30 s for a hung check; keep it bounded and give start-up time.
    expect(health?.options).toMatchObject({ timeout: expect.stringMatching(/^\d+s$/) });
    expect(health?.options['start-period']).toBeDefined();
  });

  it('the parser is strict: a shell-form HEALTHCHECK or a stray line is refused', () => {
    expect(() =>
      healthcheckOf(parseDockerfile('FROM x\nHEALTHCHECK CMD curl -f http://x/\n')[0] ?? []),
    ).toThrow(/exec-form|JSON/);
    expect(() => parseDockerfile('RUN echo\n')).toThrow(/before the first FROM/);
  });
});
