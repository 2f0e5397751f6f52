import type * as core from 'zod/v4/core';
import { closestMatch } from '../common/closest.js';
import { formatLocation, UserError } from '../common/errors.js';
import { secretKindOf } from './env.js';
import { namedOnlyProviderHint } from './providers/named-only.js';
import { DATADOG_ONLY_KEYS, PROMETHEUS_ONLY_KEYS } from './schema.js';
import type { ConfigDiagnostic } from './types.js';
import { describeGiven, oneOfCode } from './union-messages.js';
import { type FieldPath, formatFieldPath, type YamlSource } from './yaml-source.js';

/** Collects diagnostics for one file, placing each at the node its field path names. */
export class DiagnosticSink {
  readonly diagnostics: ConfigDiagnostic[] = [];

  constructor(
    private readonly file: string,
    private readonly source: YamlSource | null,
  ) {}

  add(
    severity: ConfigDiagnostic['severity'],
    path: FieldPath,
    message: string,
    hint: string | null = null,
    options: { key?: boolean } = {},
  ): void {
    const position = this.source?.locate(path, options) ?? { line: 1, column: 1 };
    this.diagnostics.push({
      severity,
      file: this.file,
      line: position.line,
      column: position.column,
      field: formatFieldPath(path),
      message,
      hint,
    });
  }

  error(path: FieldPath, message: string, hint: string | null = null, options: { key?: boolean } = {}): void {
    this.add('error', path, message, hint, options);
  }

  warning(
    path: FieldPath,
    message: string,
    hint: string | null = null,
    options: { key?: boolean } = {},
  ): void {
    this.add('warning', path, message, hint, options);
  }

  hasErrors(): boolean {
    return this.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  }
}

/** Keys that people reach for, and the key this file uses instead. */
const KEY_SYNONYMS: Readonly<Record<string, string>> = {
  type: 'provider',
  application_key: 'app_key',
  dd_site: 'site',
  endpoint: 'url',
  address: 'url',
  base_url: 'url',
  host: 'url',
  window: 'lookback',
  aggregation: 'reduce',
  aggregate: 'reduce',
  org_id: 'tenant',
  command: 'argv',
};

/** Value found at `path` inside a plain JS tree. */
function valueAt(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** The definition of a schema, typed by its `type`, so each kind's fields can be read. */
function definitionOf(schema: core.$ZodType): core.$ZodTypes['_zod']['def'] {
  return (schema as core.$ZodTypes)._zod.def;
}

/** Strips optional/nullable wrappers and picks the union member the data selects. */
function unwrap(schema: core.$ZodType, value: unknown): core.$ZodType {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const definition = definitionOf(current);
    if (definition.type === 'optional' || definition.type === 'nullable') {
      current = definition.innerType;
    } else if (definition.type === 'union' && 'discriminator' in definition) {
      const discriminator = (definition as core.$ZodDiscriminatedUnionDef).discriminator;
      const wanted = valueAt(value, [discriminator]);
      const chosen = definition.options.find((option) => {
        const optionDefinition = definitionOf(option);
        if (optionDefinition.type !== 'object') return false;
        const literal = optionDefinition.shape[discriminator];
        if (!literal) return false;
        const literalDefinition = definitionOf(literal);
        return literalDefinition.type === 'literal' && literalDefinition.values.includes(wanted as never);
      });
      if (!chosen) return current;
      current = chosen;
    } else if (definition.type === 'union') {
      const objectOption = definition.options.find((option) => definitionOf(option).type === 'object');
      if (!objectOption) return current;
      current = objectOption;
    } else {
      return current;
    }
  }
  return current;
}

/** The keys the schema allows for the object at `path`, given the data (to pick a provider/receiver type). */
function knownKeysAt(schema: core.$ZodType, tree: unknown, path: readonly PropertyKey[]): string[] {
  let current = unwrap(schema, tree);
  for (let index = 0; index < path.length; index++) {
    const segment = path[index];
    const definition = definitionOf(current);
    let next: core.$ZodType | undefined;
    if (definition.type === 'object') next = definition.shape[String(segment)];
    else if (definition.type === 'array') next = definition.element;
    else if (definition.type === 'record') next = definition.valueType;
    if (!next) return [];
    current = unwrap(next, valueAt(tree, path.slice(0, index + 1)));
  }
  const definition = definitionOf(current);
  return definition.type === 'object' ? Object.keys(definition.shape) : [];
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a number';
    case 'boolean':
      return 'true/false';
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

const EXPECTED_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

const REQUIRED_KEY_HINTS: Readonly<Record<string, string>> = {
  url: 'e.g. `url: http://127.0.0.1:9090`',
  api_key: 'e.g. `api_key: "{{env.DATADOG_API_KEY}}"`',
  routing_key: 'e.g. `routing_key: "{{env.PD_ROUTING_KEY}}"`',
  name: 'the metric name used in the NFR table of spec.md, e.g. `name: api_latency_p99`',
  query:
    "the query in the provider's language (PromQL, Datadog, InfluxQL, Graphite, NRQL...) that returns the metric",
  argv: 'e.g. `argv: [smartspec_incident_response, --alert-payload, "{payload}"]`',
  min_overshoot: 'e.g. `min_overshoot: 0.5` (50% past the target)',
  severity: 'one of SEV-1, SEV-2, SEV-3, SEV-4',
};

function unknownKeyHint(key: string, known: string[], objectType: unknown): string {
  const synonym = KEY_SYNONYMS[key];
  const guess = synonym && known.includes(synonym) ? synonym : closestMatch(key, known);
  if (guess) return `did you mean \`${guess}\`?`;
  const owner = (DATADOG_ONLY_KEYS as readonly string[]).includes(key)
    ? 'datadog'
    : (PROMETHEUS_ONLY_KEYS as readonly string[]).includes(key)
      ? 'prometheus'
      : null;
  if (owner && typeof objectType === 'string' && objectType !== owner) {
    return `\`${key}\` belongs to ${owner} providers; this one is \`type: ${objectType}\``;
  }
  return known.length > 0 ? `known keys here: ${known.join(', ')}` : 'remove it';
}

/** Turns schema issues into diagnostics placed on the offending node (the key node for unknown keys). */
export function reportSchemaIssues(
  issues: readonly core.$ZodIssue[],
  schema: core.$ZodType,
  tree: unknown,
  sink: DiagnosticSink,
): void {
  for (const issue of issues) {
    const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
    const value = valueAt(tree, issue.path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, tree, issue.path);
        const objectType = valueAt(tree, [...issue.path, 'type']);
        for (const key of issue.keys) {
          sink.error([...path, key], `unknown key \`${key}\``, unknownKeyHint(key, known, objectType), {
            key: true,
          });
        }
        break;
      }
      case 'invalid_type': {
        const last = path[path.length - 1];
        if (value === undefined) {
          sink.error(
            path,
            `missing required key \`${String(last)}\``,
            REQUIRED_KEY_HINTS[String(last)] ?? null,
          );
        } else {
          const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
          // Never suggest quoting a literal where a secret goes.
          const hint =
            secretKindOf(path) === 'refuse-literal'
              ? 'write `{{env.NAME}}` or `env:NAME` and export NAME'
              : issue.expected === 'string' && typeof value !== 'object'
                ? 'quote the value'
                : null;
          sink.error(path, `expected ${expected}, got ${describeValue(value)}`, hint);
        }
        break;
      }
      case 'invalid_value': {
        const options = issue.values.map(String);
        const guess = typeof value === 'string' ? closestMatch(value, options) : null;
        const namedOnly = path.length === 1 && path[0] === 'provider' ? namedOnlyProviderHint(value) : null;
        sink.error(
          path,
          `expected ${oneOfCode(options)}, got ${describeGiven(value, { quoteText: secretKindOf(path) === 'plain' })}`,
          namedOnly ?? (guess ? `did you mean \`${guess}\`?` : null),
        );
        break;
      }
      case 'invalid_key':
        sink.error(path, issue.issues[0]?.message ?? issue.message, null, { key: true });
        break;
      case 'too_small':
        sink.error(
          path,
          // zod's own text for strings and lists reads well; a schema's own message is kept.
          issue.origin === 'string' || issue.origin === 'array' || !issue.message.startsWith('Too small')
            ? issue.message
            : `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`,
          null,
        );
        break;
      case 'invalid_union': {
        // The value has the shape of exactly one option (a mapping with that option's keys): its own
        // problems, deeper in the value, say more than "none of the options".
        const inside = onlyFittingOption(issue, value);
        if (inside) {
          const nested = inside.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
          reportSchemaIssues(nested, schema, tree, sink);
          break;
        }
        reportCustomMessage(path, unionMessage(issue, value, path, schema, tree), sink);
        break;
      }
      default:
        reportCustomMessage(path, issue.message, sink);
    }
  }
}

/** Custom messages may end in a guess; it reads better as the hint. */
function reportCustomMessage(path: FieldPath, text: string, sink: DiagnosticSink): void {
  const [message, guess] = text.split('; did you mean ');
  sink.error(path, message ?? text, guess ? `did you mean ${guess}` : null);
}

/**
 * The issues of the one option whose shape the value has, when only one has it: every problem lies in
 * the value of a key the value has; none at the value itself (wrong type, unknown keys) or a missing key,
 * which would make the option a guess.
 */
function onlyFittingOption(issue: core.$ZodIssueInvalidUnion, value: unknown): core.$ZodIssue[] | null {
  const fitting = issue.errors.filter(
    (optionIssues) =>
      optionIssues.length > 0 &&
      optionIssues.every(
        (inner) => inner.path.length > 0 && valueAt(value, inner.path.slice(0, 1)) !== undefined,
      ),
  );
  return fitting.length === 1 ? (fitting[0] ?? null) : null;
}

/** zod's own text for a union, which says neither what is accepted nor what was given. */
function isZodUnionText(message: string): boolean {
  return message.startsWith('Invalid input') || message.startsWith('Invalid discriminator value');
}

/**
 * The message of a value that matches no option of a union: the union's own message (those of
 * schema.ts say what was given), or for a union that has none, what its options accept and what was given.
 * A discriminated union's message says which values the discriminator takes; the value given is added.
 */
function unionMessage(
  issue: core.$ZodIssueInvalidUnion,
  value: unknown,
  path: FieldPath,
  root: core.$ZodType,
  tree: unknown,
): string {
  // Text in a secret field is not repeated, even where it does not belong.
  const given = describeGiven(value, { quoteText: secretKindOf(path) === 'plain' });
  if (issue.discriminator !== undefined) {
    // A mapping whose `type` (the discriminator) names no option; the path ends at that key.
    const options = ('options' in issue ? (issue.options ?? []) : []).map(String);
    if (value === undefined) return `missing \`${issue.discriminator}\`: ${oneOfCode(options)}`;
    const guess = typeof value === 'string' ? closestMatch(value, options) : null;
    const expected = isZodUnionText(issue.message)
      ? `unknown ${issue.discriminator} ${given}; expected ${oneOfCode(options)}`
      : `${issue.message}, got ${given}`;
    return `${expected}${guess ? `; did you mean \`${guess}\`?` : ''}`;
  }
  if (!isZodUnionText(issue.message)) return issue.message;
  const union = schemaAt(root, tree, issue.path);
  const accepted = union ? optionsText(union) : null;
  return `expected ${accepted ?? 'another kind of value'}, got ${given}`;
}

/** Strips the wrappers that do not change what a value may be. */
function bare(schema: core.$ZodType): core.$ZodType {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    const definition = definitionOf(current);
    if (definition.type === 'optional' || definition.type === 'nullable' || definition.type === 'default') {
      current = definition.innerType;
    } else {
      return current;
    }
  }
  return current;
}

/** The schema of the child `segment` of a container schema, trying each option of a union. */
function childSchema(schema: core.$ZodType, segment: PropertyKey, value: unknown): core.$ZodType | null {
  const definition = definitionOf(bare(schema));
  if (definition.type === 'object') return definition.shape[String(segment)] ?? null;
  if (definition.type === 'array') return definition.element;
  if (definition.type === 'record') return definition.valueType;
  if (definition.type === 'union') {
    // The option the data selects (by its discriminator) first, then any option that has the child.
    const selected = unwrap(schema, value);
    const candidates =
      definitionOf(selected).type === 'union' ? definition.options : [selected, ...definition.options];
    for (const option of candidates) {
      const child = childSchema(option, segment, value);
      if (child) return child;
    }
  }
  return null;
}

/** The schema that checks the value at `path`, or null when the path leaves the schema. */
function schemaAt(root: core.$ZodType, tree: unknown, path: readonly PropertyKey[]): core.$ZodType | null {
  let current: core.$ZodType | null = root;
  for (let index = 0; index < path.length && current; index++) {
    current = childSchema(current, path[index] as PropertyKey, valueAt(tree, path.slice(0, index)));
  }
  return current ? bare(current) : null;
}

/** What one schema accepts, in words (for a union that has no message of its own). */
function acceptedText(schema: core.$ZodType): string {
  const definition = definitionOf(bare(schema));
  switch (definition.type) {
    case 'literal':
      return oneOfCode(definition.values.map(String));
    case 'enum':
      return oneOfCode(Object.values(definition.entries).map(String));
    case 'object':
      return `a mapping with ${oneOfCode(Object.keys(definition.shape), 'and')}`;
    case 'union':
      return optionsText(bare(schema)) ?? 'a value';
    default:
      return EXPECTED_WORDS[definition.type] ?? definition.type;
  }
}

function optionsText(union: core.$ZodType): string | null {
  const definition = definitionOf(union);
  if (definition.type !== 'union') return null;
  const phrases = [...new Set(definition.options.map(acceptedText))];
  const last = phrases.pop();
  return phrases.length === 0 ? (last ?? null) : `${phrases.join(', ')} or ${last}`;
}

/** Lines and columns first, so the first diagnostic is the first problem in the file. */
export function sortDiagnostics(diagnostics: ConfigDiagnostic[]): ConfigDiagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.column - b.column);
}

export function formatDiagnostic(diagnostic: ConfigDiagnostic): string {
  const where = formatLocation({ file: diagnostic.file, line: diagnostic.line, column: diagnostic.column });
  return `${where}: ${diagnostic.field ? `${diagnostic.field}: ` : ''}${diagnostic.message}`;
}

/** One `config` UserError: the first error leads; the other errors follow as `file:line:col: field: message`. */
export function configErrorFromDiagnostics(diagnostics: readonly ConfigDiagnostic[]): UserError {
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  const [first, ...rest] = errors.length > 0 ? errors : diagnostics;
  if (!first) return new UserError('config', 'invalid observability config');
  return new UserError('config', first.message, {
    location: { file: first.file, line: first.line, column: first.column },
    ...(first.field ? { field: first.field } : {}),
    ...(first.hint ? { hint: first.hint } : {}),
    details: rest.map(formatDiagnostic),
  });
}
