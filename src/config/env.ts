import { MIN_SECRET_LENGTH } from './redact.js';
import { ENV_TEMPLATE, ENV_TEMPLATE_ATTEMPT, ENV_WHOLE } from './vocabulary.js';
import { type FieldPath, formatFieldPath } from './yaml-source.js';

/**
 * How a field treats secrets:
 * - `refuse-literal`: must come from the environment (keys, tokens, passwords, auth headers);
 * - `secret`: a value read from the environment is a secret (other header values, URLs), a literal is not;
 * - `plain`: a value read from the environment is ordinary configuration (a timeout, a tenant, a query).
 */
export type SecretKind = 'refuse-literal' | 'secret' | 'plain';

const ALWAYS_SECRET_KEYS = new Set(['api_key', 'app_key', 'api_token', 'hmac_secret', 'routing_key']);
const SENSITIVE_HEADER = /authorization|key|token|secret|password|cookie/i;
const SLACK_WEBHOOK = /hooks\.slack\.com\/services\//i;

function tail(path: FieldPath, length: number): string {
  return path.slice(-length).join('.');
}

export function secretKindOf(path: FieldPath): SecretKind {
  const last = path[path.length - 1];
  if (typeof last === 'string' && ALWAYS_SECRET_KEYS.has(last)) return 'refuse-literal';
  if (tail(path, 2) === 'auth.bearer' || tail(path, 3) === 'auth.basic.password') return 'refuse-literal';
  if (path.length === 2 && tail(path, 2) === 'server.token') return 'refuse-literal';
  if (path[path.length - 2] === 'headers' && typeof last === 'string') {
    return SENSITIVE_HEADER.test(last) ? 'refuse-literal' : 'secret';
  }
  // URLs may carry tokens (Slack, Teams) or credentials; a Slack receiver's URL is nothing but a token.
  if (last === 'url') return 'secret';
  return 'plain';
}

/** Literal URLs are fine unless they embed a credential. */
function literalUrlHoldsSecret(text: string): string | null {
  if (SLACK_WEBHOOK.test(text)) return 'a Slack webhook URL is a secret';
  try {
    if (new URL(text).password !== '') return 'the URL holds a password';
  } catch {
    // Not a URL; normalize.ts reports that.
  }
  return null;
}

export interface EnvProblem {
  path: FieldPath;
  kind: 'missing-variable' | 'literal-secret' | 'malformed-reference' | 'empty-secret';
  message: string;
  hint: string;
}

export interface EnvResolution {
  /** The input with every reference replaced by its value, or by `<env:NAME>` when not resolved. */
  value: unknown;
  problems: EnvProblem[];
  /** Values read from the environment into secret-bearing fields. */
  secretValues: string[];
  /** Fields (formatted paths) that still hold a `<env:NAME>` placeholder: skip value checks on them. */
  placeholders: Set<string>;
  /** Secrets too short to be redacted inside text (see MIN_SECRET_LENGTH): worth a warning. */
  shortSecrets: Array<{ path: FieldPath; name: string }>;
}

const REFERENCE_HINT = 'write `{{env.NAME}}` or `env:NAME` and export NAME';

/**
 * Replaces environment references in every string of a JSON-like tree, refuses literal secrets and collects
 * the secret values read. With `resolve: false` nothing is read into the result (placeholders instead), but
 * missing variables are still reported.
 */
export function resolveEnvReferences(tree: unknown, env: NodeJS.ProcessEnv, resolve: boolean): EnvResolution {
  const problems: EnvProblem[] = [];
  const secretValues = new Set<string>();
  const placeholders = new Set<string>();
  const shortSecrets: EnvResolution['shortSecrets'] = [];

  const resolveString = (text: string, path: FieldPath): string => {
    const field = formatFieldPath(path);
    const kind = secretKindOf(path);
    const whole = ENV_WHOLE.exec(text);
    const names = whole ? [whole[1] ?? ''] : [...text.matchAll(ENV_TEMPLATE)].map((match) => match[1] ?? '');

    const leftover = whole ? '' : text.replace(ENV_TEMPLATE, '');
    if (ENV_TEMPLATE_ATTEMPT.test(leftover)) {
      problems.push({
        path,
        kind: 'malformed-reference',
        message: 'malformed environment reference',
        hint: 'use `{{env.NAME}}` where NAME is letters, digits and `_` (not starting with a digit)',
      });
    }

    if (names.length === 0) {
      if (kind === 'refuse-literal') {
        if (text === '') {
          problems.push({ path, kind: 'empty-secret', message: 'empty secret', hint: REFERENCE_HINT });
        } else {
          problems.push({
            path,
            kind: 'literal-secret',
            message: 'literal secret refused: secrets must come from the environment',
            hint: `${REFERENCE_HINT}; then revoke the value that was written in the file`,
          });
        }
      } else if (kind === 'secret' && path[path.length - 1] === 'url') {
        const reason = literalUrlHoldsSecret(text);
        if (reason) {
          problems.push({
            path,
            kind: 'literal-secret',
            message: `literal secret refused: ${reason}`,
            hint: `${REFERENCE_HINT}; then revoke the value that was written in the file`,
          });
        }
      }
      return text;
    }

    const values = new Map<string, string>();
    for (const name of names) {
      const value = env[name];
      if (value === undefined || value === '') {
        problems.push({
          path,
          kind: 'missing-variable',
          message: `environment variable ${name} is ${value === undefined ? 'not set' : 'empty'} (needed by ${field})`,
          hint: `export ${name}=...`,
        });
      } else {
        values.set(name, value);
      }
    }
    const complete = resolve && values.size === new Set(names).size;
    if (!complete) {
      placeholders.add(field);
      return whole ? `<env:${names[0]}>` : text.replace(ENV_TEMPLATE, (_, name: string) => `<env:${name}>`);
    }
    if (kind !== 'plain') for (const value of values.values()) secretValues.add(value);
    if (kind === 'refuse-literal') {
      for (const [name, value] of values)
        if (value.length < MIN_SECRET_LENGTH) shortSecrets.push({ path, name });
    }
    const resolved = whole
      ? (values.get(names[0] ?? '') ?? '')
      : text.replace(ENV_TEMPLATE, (_, name: string) => values.get(name) ?? '');
    if (kind !== 'plain' && resolved !== text) secretValues.add(resolved);
    return resolved;
  };

  const walk = (node: unknown, path: FieldPath): unknown => {
    if (typeof node === 'string') return resolveString(node, path);
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]),
      );
    }
    return node;
  };

  return { value: walk(tree, []), problems, secretValues: [...secretValues], placeholders, shortSecrets };
}
