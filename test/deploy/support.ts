import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DEPLOY = path.join(PROJECT_ROOT, 'deploy');

export function readDeployFile(relative: string): string {
  return fs.readFileSync(path.join(DEPLOY, relative), 'utf8');
}

/** The first executable of that name on PATH, or null. */
export function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface Completed {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (no shell); a non-zero exit is a result, not an exception. */
export function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Completed> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * A systemd unit file as `section → key → values` (a key may repeat; an empty assignment resets the
 * list, as systemd reads it). Continuation lines are not used by the shipped units.
 */
export function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] ?? '', current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current === null || equals < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, equals).trim();
    const value = line.slice(equals + 1).trim();
    current.set(key, value === '' ? [] : [...(current.get(key) ?? []), value]);
  }
  return sections;
}

export interface DockerInstruction {
  /** Upper-case instruction name, e.g. `RUN`. */
  name: string;
  /** Everything after the name, continuation lines joined. */
  args: string;
  /** 1-based line of the instruction. */
  line: number;
}

/** A Dockerfile's instructions grouped by stage (each FROM starts one); comments and blank lines dropped. */
export function parseDockerfile(text: string): DockerInstruction[][] {
  const stages: DockerInstruction[][] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const first = lines[index] ?? '';
    if (/^\s*(#|$)/.test(first)) continue;
    const start = index + 1;
    let joined = first;
    while (/\\\s*$/.test(joined) && index + 1 < lines.length) {
      index += 1;
      const next = lines[index] ?? '';
      if (/^\s*#/.test(next)) continue;
      joined = `${joined.replace(/\\\s*$/, '')} ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(joined);
    if (!match) throw new Error(`line ${start}: not an instruction: ${joined}`);
    const instruction = { name: (match[1] ?? '').toUpperCase(), args: (match[2] ?? '').trim(), line: start };
    if (instruction.name === 'FROM') stages.push([]);
    const stage = stages.at(-1);
    if (!stage) throw new Error(`line ${start}: ${instruction.name} before the first FROM`);
    stage.push(instruction);
  }
  return stages;
}

/** The JSON (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD; throws on the shell form. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`not an exec-form array: ${args}`);
  }
  return parsed;
}

export const DOCKERFILE_PATH = 'container/Dockerfile';

/** The final stage's instructions of the shipped Dockerfile, and all stages. */
export function shippedDockerfile(): { stages: DockerInstruction[][]; runtime: DockerInstruction[] } {
  const stages = parseDockerfile(readDeployFile(DOCKERFILE_PATH));
  return { stages, runtime: stages.at(-1) ?? [] };
}

/** The HEALTHCHECK's options and command of a stage. */
export function healthcheckOf(stage: readonly DockerInstruction[]): {
  options: Record<string, string>;
  command: string[];
} | null {
  const instruction = stage.findLast((i) => i.name === 'HEALTHCHECK');
  if (!instruction) return null;
  const options: Record<string, string> = {};
  let rest = instruction.args;
  for (let option = /^--([a-z-]+)=(\S+)\s+/.exec(rest); option; option = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    options[option[1] ?? ''] = option[2] ?? '';
    rest = rest.slice(option[0].length);
  }
  const cmd = /^CMD\s+(.*)$/.exec(rest);
  if (!cmd) throw new Error(`HEALTHCHECK without CMD: ${instruction.args}`);
  return { options, command: execForm(cmd[1] ?? '') };
}

/** Every document of every manifest in deploy/kubernetes except the kustomization, with its file. */
export function kubernetesObjects(): Array<{ file: string; object: KubeObject }> {
  const dir = path.join(DEPLOY, 'kubernetes');
  const objects: Array<{ file: string; object: KubeObject }> = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(file) || file === 'kustomization.yaml') continue;
    for (const document of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
      objects.push({ file, object: document.toJS() as KubeObject });
    }
  }
  return objects;
}

// Only the fields the tests read; the manifests themselves are checked by parsing, not by these types.
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: unknown;
}

export interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  timeoutSeconds?: number;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}

export interface Volume {
  name: string;
  configMap?: { name: string; items?: { key: string; path: string }[] };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: Record<string, unknown>;
}

export interface DeploymentSpec {
  replicas: number;
  strategy?: { type: string };
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      automountServiceAccountToken?: boolean;
      terminationGracePeriodSeconds?: number;
      securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; runAsGroup?: number; fsGroup?: number };
      containers: Container[];
      volumes?: Volume[];
    };
  };
}

export interface ServiceSpec {
  selector: Record<string, string>;
  ports: { name: string; port: number; targetPort: string | number }[];
}

export interface ServiceMonitorSpec {
  selector: { matchLabels: Record<string, string> };
  endpoints: {
    port: string;
    path: string;
    authorization?: { type: string; credentials: { name: string; key: string } };
  }[];
}

/** The one object of a kind (the manifests ship exactly one of each), with its spec typed. */
export function only<Spec>(
  objects: ReadonlyArray<{ object: KubeObject }>,
  kind: string,
): KubeObject & { spec: Spec } {
  const found = objects.filter((o) => o.object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]?.object as KubeObject & { spec: Spec };
}

/**
 * The files the pod sees under /workspace from the ConfigMap volumes of the Deployment, as
 * `relative path → content` (only volumes mounted under /workspace).
 */
export function podWorkspaceFiles(objects: ReadonlyArray<{ object: KubeObject }>): Record<string, string> {
  const deployment = only<DeploymentSpec>(objects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const files: Record<string, string> = {};
  for (const mount of container?.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume?.configMap || !mount.mountPath.startsWith('/workspace/')) continue;
    const configMap = objects.find(
      (o) => o.object.kind === 'ConfigMap' && o.object.metadata.name === volume.configMap?.name,
    )?.object;
    if (!configMap) throw new Error(`volume ${volume.name}: no ConfigMap ${volume.configMap.name}`);
    const relativeMount = mount.mountPath.slice('/workspace/'.length);
    for (const item of volume.configMap.items ?? []) {
      const content = configMap.data?.[item.key];
      if (content === undefined) throw new Error(`volume ${volume.name}: no key ${item.key}`);
      if (mount.subPath !== undefined) {
        if (mount.subPath === item.path) files[relativeMount] = content;
      } else {
        files[path.posix.join(relativeMount, item.path)] = content;
      }
    }
  }
  return files;
}
