/**
 * deploy/kubernetes, parsed with the `yaml` package: the pod is locked down (non-root, read-only root
 * filesystem, no capabilities), probes /healthz and /readyz, keeps reports on a volume, takes every
 * secret observability.yaml names from the Secret, and the Service, ServiceMonitor, ConfigMap and
 * Secret fit together by name, label and port. `kubectl kustomize` renders the set when kubectl is
 * on PATH (no cluster is needed or used).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHUTDOWN_TIMEOUT_MS } from '../../src/cli/daemon.js';
import {
  DEPLOY,
  type DeploymentSpec,
  execForm,
  kubernetesObjects,
  only,
  onPath,
  podWorkspaceFiles,
  run,
  type ServiceMonitorSpec,
  type ServiceSpec,
  shippedDockerfile,
} from './support.js';

const objects = kubernetesObjects();
const deployment = only<DeploymentSpec>(objects, 'Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers[0]!;
const service = only<ServiceSpec>(objects, 'Service');
const serviceMonitor = only<ServiceMonitorSpec>(objects, 'ServiceMonitor');
const configMap = only<unknown>(objects, 'ConfigMap');
const secret = only<unknown>(objects, 'Secret');
const { runtime } = shippedDockerfile();

const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

describe('kubernetes manifests: every file parses', () => {
  it('each document has apiVersion, kind and a name, one object of each kind', () => {
    expect(objects.map((o) => o.object.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'PersistentVolumeClaim',
      'Secret',
      'Service',
      'ServiceMonitor',
    ]);
    for (const { file, object } of objects) {
      expect(object.apiVersion, file).toMatch(/^[a-z.]*\/?v\d/);
      expect(object.metadata.name, file).toMatch(/^[a-z0-9-]+$/);
    }
    expect(serviceMonitor.apiVersion).toBe('monitoring.coreos.com/v1');
  });

  it('the kustomization lists every manifest', () => {
    const kustomization = parse(
      fs.readFileSync(path.join(DEPLOY, 'kubernetes/kustomization.yaml'), 'utf8'),
    ) as {
      resources: string[];
    };
    expect([...kustomization.resources].sort()).toEqual([...new Set(objects.map((o) => o.file))].sort());
  });
});

describe('kubernetes manifests: the pod', () => {
  it('runs one replica, replaced (not rolled) so the database lock is released first', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy?.type).toBe('Recreate');
    expect(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(
      true,
    );
  });

  it('runs as non-root (the image user), read-only root filesystem, no capabilities', () => {
    const uid = Number((runtime.findLast((i) => i.name === 'USER')?.args ?? '').split(':')[0]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid });
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.securityContext?.capabilities?.drop).toContain('ALL');
    expect(container.securityContext?.capabilities?.add ?? []).toEqual([]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  it('liveness asks /healthz and readiness /readyz on the port the daemon listens on', () => {
    const listen = container.args?.[container.args.indexOf('--listen') + 1] ?? '';
    const port = Number(listen.split(':').at(-1));
    const named = container.ports?.find((p) => p.name === container.livenessProbe?.httpGet?.port);
    expect(named?.containerPort).toBe(port);
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    const readiness = container.readinessProbe?.exec?.command.join(' ') ?? '';
    expect(readiness).toContain(`http://127.0.0.1:${port}/readyz`);
    expect(readiness).toContain('process.env.MONITOR_TOKEN');
  });

  it('gives SIGTERM more time than the daemon takes to stop', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(SHUTDOWN_TIMEOUT_MS / 1000);
  });

  it('keeps reports and state on the persistent volume at the image VOLUME, /tmp on an emptyDir', () => {
    const imageVolume = execForm(runtime.findLast((i) => i.name === 'VOLUME')?.args ?? '[]')[0];
    const reportsMount = container.volumeMounts?.find((m) => m.mountPath === imageVolume);
    const claim = pod.volumes?.find((v) => v.name === reportsMount?.name)?.persistentVolumeClaim?.claimName;
    expect(
      objects.some((o) => o.object.kind === 'PersistentVolumeClaim' && o.object.metadata.name === claim),
    ).toBe(true);
    expect(reportsMount?.readOnly).not.toBe(true);
    const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    // Everything else the pod mounts is read-only configuration.
    for (const mount of container.volumeMounts ?? []) {
      if (mount !== reportsMount && mount !== tmp) expect(mount.readOnly, mount.name).toBe(true);
    }
  });

  it('mounts the spec, observability.yaml and the SmartSpec config from the ConfigMap where the daemon looks', () => {
    const files = podWorkspaceFiles(objects);
    expect(Object.keys(files).sort()).toEqual([
      '.spec/smartspec.config.yaml',
      'specs/core/spec-core-001-authentication/observability.yaml',
      'specs/core/spec-core-001-authentication/spec.md',
    ]);
    expect(parse(files['.spec/smartspec.config.yaml'] ?? '')).toMatchObject({
      safety: { network_policy: { default: 'deny' } },
    });
  });

  it('every {{env.NAME}} in observability.yaml comes from a key of the Secret', () => {
    const files = podWorkspaceFiles(objects);
    const names = [
      ...Object.values(files).flatMap((text) =>
        [...text.matchAll(/\{\{env\.([A-Z0-9_]+)\}\}/g)].map((m) => m[1]),
      ),
    ];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      const ref = container.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(ref, name).toBeDefined();
      expect(ref?.name).toBe(secret.metadata.name);
      expect(Object.keys(secret.stringData ?? secret.data ?? {})).toContain(ref?.key);
    }
    // No secret sits in the ConfigMap or as a literal env value.
    expect(container.env?.filter((e) => e.value !== undefined)).toEqual([]);
    expect(JSON.stringify(configMap.data)).not.toMatch(/replace-me/);
  });
});

describe('kubernetes manifests: Service and ServiceMonitor', () => {
  it('the Service selects the pod and forwards to its named port', () => {
    expect(matches(service.spec.selector, deployment.spec.template.metadata.labels)).toBe(true);
    const [port] = service.spec.ports;
    expect(container.ports?.map((p) => p.name)).toContain(port?.targetPort);
  });

  it('the ServiceMonitor selects the Service and scrapes /metrics with the token from the Secret', () => {
    expect(matches(serviceMonitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
    const [endpoint] = serviceMonitor.spec.endpoints;
    expect(service.spec.ports.map((p) => p.name)).toContain(endpoint?.port);
    expect(endpoint?.path).toBe('/metrics');
    expect(endpoint?.authorization?.type).toBe('Bearer');
    expect(endpoint?.authorization?.credentials.name).toBe(secret.metadata.name);
    const tokenKey = endpoint?.authorization?.credentials.key ?? '';
    expect(Object.keys(secret.stringData ?? {})).toContain(tokenKey);
    // The daemon checks the same variable: server.token names it.
    expect(
      podWorkspaceFiles(objects)['specs/core/spec-core-001-authentication/observability.yaml'],
    ).toContain(`token: "{{env.${tokenKey}}}"`);
  });
});

const kubectl = onPath('kubectl');

describe.skipIf(kubectl === null)('kubernetes manifests: kubectl kustomize (offline, no cluster)', () => {
  it('renders every object', async () => {
    const result = await run(kubectl!, ['kustomize', path.join(DEPLOY, 'kubernetes')], { timeoutMs: 30_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const kinds = result.stdout
      .split(/^---$/m)
      .map((text) => (parse(text) as { kind: string }).kind)
      .sort();
    expect(kinds).toEqual(objects.map((o) => o.object.kind).sort());
  });
});

it.runIf(kubectl === null)('kubectl is not on PATH: no kustomize rendering check', () => {
  expect(kubectl).toBeNull();
});
