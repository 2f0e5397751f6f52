import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import * as z from 'zod/mini';
import { DiagnosticSink, reportSchemaIssues } from '../../src/config/diagnostics.js';
import {
  type ConfigDiagnostic,
  observabilityJsonSchema,
  parseObservabilityConfig,
} from '../../src/config/index.js';
import { observabilityFileSchema } from '../../src/config/schema.js';
import { describeGiven } from '../../src/config/union-messages.js';
import { type FieldPath, formatFieldPath } from '../../src/config/yaml-source.js';
import { errorsOf, PROMETHEUS_HEAD } from './support.js';

/*
 * Every union of the schema (anyOf/oneOf in the JSON Schema, which zod generates from the same
 * definitions) is given values of the wrong kind; none may answer with zod's bare "Invalid input". A union
 * added later is found the same way.
 */

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

type Tree = Record<string, unknown>;

interface UnionSite {
  /** Where the union is in the JSON Schema, for failure messages. */
  pointer: string;
  path: FieldPath;
  /** A whole file with `value` at the union's place, and what the schema requires around it. */
  place: (value: unknown) => Tree;
}

const ENV = { SAMPLE: 'sample-value-1234' };
const BASE: Tree = { provider: 'prometheus', url: 'http://127.0.0.1:9090' };

/** A value the schema accepts at `node`: enough to fill the keys a mapping requires. */
function sample(node: JsonSchema): unknown {
  if ('const' in node) return node.const;
  if (node.enum) return node.enum[0];
  const options = node.anyOf ?? node.oneOf;
  if (options?.[0]) return sample(options[0]);
  switch (node.type) {
    case 'string':
      // The only patterned strings that stand alone are secrets: an environment reference.
      return node.pattern ? '{{env.SAMPLE}}' : 'sample';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return node.items ? [sample(node.items)] : [];
    default:
      return requiredOf(node);
  }
}

function requiredOf(node: JsonSchema): Tree {
  const tree: Tree = {};
  for (const key of node.required ?? []) {
    const property = node.properties?.[key];
    if (property) tree[key] = sample(property);
  }
  return tree;
}

function findUnions(
  node: JsonSchema,
  pointer: string,
  path: FieldPath,
  place: (value: unknown) => Tree,
  sites: UnionSite[],
): void {
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const options = node[keyword];
    if (!options) continue;
    sites.push({ pointer, path, place });
    options.forEach((option, index) => {
      findUnions(option, `${pointer}/${keyword}/${index}`, path, place, sites);
    });
  }
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    findUnions(
      child,
      `${pointer}/properties/${key}`,
      [...path, key],
      (value) => place({ ...requiredOf(node), [key]: value }),
      sites,
    );
  }
  if (typeof node.additionalProperties === 'object') {
    findUnions(
      node.additionalProperties,
      `${pointer}/additionalProperties`,
      [...path, 'sample'],
      (value) => place({ sample: value }),
      sites,
    );
  }
  if (node.items) {
    findUnions(node.items, `${pointer}/items`, [...path, 0], (value) => place([value] as never), sites);
  }
}

function unionSites(): UnionSite[] {
  const sites: UnionSite[] = [];
  findUnions(
    observabilityJsonSchema() as JsonSchema,
    '#',
    [],
    (value) => ({ ...BASE, ...(value as Tree) }),
    sites,
  );
  return sites;
}

/** Values of every kind but the ones a union is likely to accept; the schema decides which are wrong. */
const WRONG_VALUES: readonly unknown[] = [true, 9.5, -1, null, [], ['x'], {}, { unexpected_key: 1 }, ''];

function parse(tree: Tree) {
  return parseObservabilityConfig(stringify(tree), 'obs.yaml', ENV);
}

function isAtOrUnder(diagnostic: ConfigDiagnostic, field: string): boolean {
  return (
    diagnostic.field === field ||
    diagnostic.field.startsWith(`${field}.`) ||
    diagnostic.field.startsWith(`${field}[`)
  );
}

describe('every union of the schema, given a wrong value', () => {
  const sites = unionSites();

  it('finds the unions of the schema, including those nested in providers, metrics and other unions', () => {
    const fields = new Set(sites.map((site) => formatFieldPath(site.path)));
    for (const field of [
      'incident_command',
      'incident_command.timeout',
      'server.listen',
      'metrics[0].sli',
      'metrics[0].sli.le',
      'metrics[0].unit',
      'providers.sample',
      'providers.sample.account_id',
      'receivers[0]',
      'reports.aggregator_command',
      'unmapped',
      'timeout',
      'site',
    ]) {
      expect(fields, field).toContain(field);
    }
  });

  it.each(unionSites().map((site) => [formatFieldPath(site.path), site.pointer, site] as const))(
    '%s (%s) says what it accepts and what it got, never "Invalid input"',
    (field, pointer, site) => {
      let refused = 0;
      for (const wrong of WRONG_VALUES) {
        const tree = site.place(wrong);
        const result = parse(tree);
        const context = `${pointer} with ${JSON.stringify(wrong)}: ${JSON.stringify(result.diagnostics)}`;
        for (const diagnostic of result.diagnostics) {
          expect(`${diagnostic.message} ${diagnostic.hint ?? ''}`, context).not.toMatch(
            /Invalid (input|discriminator)/,
          );
        }
        // A value of a kind the union takes is checked later, by meaning (normalize.ts): not this test's.
        if (observabilityFileSchema.safeParse(tree).success) continue;
        const here = errorsOf(result).filter((diagnostic) => isAtOrUnder(diagnostic, field));
        expect(here, context).not.toEqual([]);
        refused++;
        for (const diagnostic of here) {
          expect(diagnostic.line, context).toBeGreaterThan(0);
          expect(diagnostic.message, context).toMatch(/expected|missing|unknown|must/);
          // A scalar of the wrong kind is named: as written, or by its kind where only the type is wrong.
          if (diagnostic.field === field && (wrong === true || wrong === 9.5)) {
            expect(diagnostic.message, context).toMatch(
              wrong === true ? /\btrue$|\btrue\b.*; expected|got true\/false$/ : /\b9\.5\b|got a number$/,
            );
          }
        }
      }
      expect(refused, `${pointer}: no wrong value was refused at ${field}`).toBeGreaterThan(0);
    },
  );
});

function onlyError(text: string): ConfigDiagnostic {
  const result = parseObservabilityConfig(text, 'obs.yaml', ENV);
  const errors = errorsOf(result);
  expect(errors, JSON.stringify(errors)).toHaveLength(1);
  return errors[0] as ConfigDiagnostic;
}

describe('the messages of the unions people get wrong', () => {
  it('server.listen: a port or host:port', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}server:\n  listen: true\n`)).toMatchObject({
      line: 4,
      column: 11,
      field: 'server.listen',
      message: 'expected a port (1-65535) or "host:port", got true',
    });
  });

  it('incident_command and reports.aggregator_command: argv or false', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}incident_command: run.sh\n`)).toMatchObject({
      line: 3,
      field: 'incident_command',
      message:
        'expected `{ argv: [program, args...] }` (with an optional `timeout`) or `false` to turn it off, got `run.sh`',
    });
    expect(onlyError(`${PROMETHEUS_HEAD}reports:\n  aggregator_command: true\n`)).toMatchObject({
      field: 'reports.aggregator_command',
      message: expect.stringMatching(/^expected `\{ argv: .* or `false` to turn it off, got true$/),
    });
  });

  it('a mapping with the keys of one option is checked as that option', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}incident_command:\n  argv: run.sh --now\n`)).toMatchObject({
      line: 4,
      column: 9,
      field: 'incident_command.argv',
      message: 'expected a list, got text',
    });
    expect(
      onlyError(`${PROMETHEUS_HEAD}metrics:\n  - name: a\n    query: up\n    sli:\n      le: true\n`),
    ).toMatchObject({
      line: 7,
      column: 11,
      field: 'metrics[0].sli.le',
      message:
        'expected the upper bound of a histogram bucket as its `le` label reads, e.g. "0.25" or 0.25, got true',
    });
    expect(onlyError(`${PROMETHEUS_HEAD}unmapped:\n  default: ignor\n`)).toMatchObject({
      field: 'unmapped.default',
      message: 'expected `degrade` or `ignore`, got `ignor`',
      hint: 'did you mean `ignore`?',
    });
  });

  it('an sli that fits no shape lists the shapes', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}metrics:\n  - name: a\n    query: up\n    sli: [x]\n`).message).toBe(
      'expected `{good: <query>, total: <query>}`, `{bad: <query>, total: <query>}` or `{le: "<bucket>"}`, got a list',
    );
  });

  it('metrics[].unit: text', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}metrics:\n  - name: a\n    query: up\n    unit: 5\n`)).toMatchObject({
      field: 'metrics[0].unit',
      message: 'expected a unit written as text, such as `ms`, `s`, `%`, `ratio`, `rps` or `count`, got 5',
    });
  });

  it('newrelic account_id: a positive integer or an environment reference', () => {
    const provider = 'providers:\n  nr:\n    type: newrelic\n    api_key: "{{env.SAMPLE}}"\n    account_id: ';
    expect(onlyError(`${provider}true\n`)).toMatchObject({
      line: 5,
      column: 17,
      field: 'providers.nr.account_id',
      message:
        'expected a New Relic account id: a positive integer such as 1234567, or `{{env.NAME}}`, got true',
    });
    expect(onlyError(`${provider}0\n`).message).toBe('must be greater than 0');
    expect(onlyError(`${provider}""\n`).message).toBe('must not be empty');
  });

  it('an unknown or missing provider type names what was given and every type', () => {
    const unknown = onlyError('providers:\n  p:\n    type: promethus\n    url: http://127.0.0.1:9090\n');
    expect(unknown).toMatchObject({ line: 3, column: 11, field: 'providers.p.type' });
    expect(unknown.message).toMatch(/^unknown provider type; expected prometheus, .*, got `promethus`$/);
    expect(unknown.hint).toBe('did you mean `prometheus`?');
    const missing = onlyError('providers:\n  p:\n    url: http://127.0.0.1:9090\n');
    expect(missing.field).toBe('providers.p.type');
    expect(missing.message).toMatch(/^missing `type`: `prometheus`, `datadog`, .* or `\w+`$/);
  });

  it('an enum with an environment reference lists its values when it cannot guess', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}reduce: true\n`).message).toBe(
      'unknown reduction true; expected `last`, `avg`, `min` or `max`',
    );
  });

  it('never repeats the content of a mapping given where a value goes (it may hold a secret)', () => {
    const result = parseObservabilityConfig(
      `${PROMETHEUS_HEAD}timeout:\n  api_key: literal-secret-0042\nserver:\n  listen: { token: literal-secret-0042 }\n`,
      'obs.yaml',
      ENV,
    );
    expect(result.config).toBeNull();
    expect(JSON.stringify(result.diagnostics)).not.toContain('literal-secret-0042');
    expect(result.diagnostics.find((d) => d.field === 'timeout')?.message).toMatch(/not a mapping$/);
    expect(result.diagnostics.find((d) => d.field === 'server.listen')?.message).toMatch(/got a mapping$/);
  });
});

describe('a number below its bound', () => {
  it('says "greater than" for a bound that is excluded, and keeps the schema’s own message', () => {
    expect(onlyError(`${PROMETHEUS_HEAD}reports:\n  trend_threshold: 0\n`)).toMatchObject({
      field: 'reports.trend_threshold',
      message: 'must be greater than 0',
    });
    expect(onlyError(`${PROMETHEUS_HEAD}objective:\n  target: 0\n`)).toMatchObject({
      field: 'objective.target',
      message: 'a target is a fraction of good, between 0 and 1 (0.999 = 99.9 %)',
    });
  });
});

describe('a union without a message of its own (one added later)', () => {
  const schema = z.strictObject({
    command: z.optional(
      z.union([
        z.literal(false),
        z.strictObject({ argv: z.array(z.string()), limit: z.optional(z.union([z.string(), z.number()])) }),
        z.number(),
      ]),
    ),
    target: z.optional(
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('file'), path: z.string() }),
        z.strictObject({ kind: z.literal('url'), url: z.string() }),
      ]),
    ),
  });

  function messagesFor(tree: Record<string, unknown>): string[] {
    const parsed = schema.safeParse(tree);
    expect(parsed.success).toBe(false);
    const sink = new DiagnosticSink('obs.yaml', null);
    if (!parsed.success) reportSchemaIssues(parsed.error.issues, schema, tree, sink);
    return sink.diagnostics.map((diagnostic) => `${diagnostic.field}: ${diagnostic.message}`);
  }

  it('says what its options accept and what was given', () => {
    expect(messagesFor({ command: true })).toEqual([
      'command: expected `false`, a mapping with `argv` and `limit` or a number, got true',
    ]);
    expect(messagesFor({ command: { argv: ['x'], limit: [] } })).toEqual([
      'command.limit: expected text or a number, got a list',
    ]);
  });

  it('names the discriminator: unknown, or missing', () => {
    expect(messagesFor({ target: { kind: 'fil', path: 'a' } })).toEqual([
      'target.kind: unknown kind `fil`; expected `file` or `url`',
    ]);
    expect(messagesFor({ target: { path: 'a' } })).toEqual(['target.kind: missing `kind`: `file` or `url`']);
  });
});

describe('describeGiven', () => {
  it('shows scalars as written, text quoted and shortened, and lists and mappings by kind', () => {
    expect(describeGiven(true)).toBe('true');
    expect(describeGiven(9.5)).toBe('9.5');
    expect(describeGiven(null)).toBe('null');
    expect(describeGiven('run.sh')).toBe('`run.sh`');
    expect(describeGiven('')).toBe('empty text');
    expect(describeGiven('x'.repeat(100))).toBe(`\`${'x'.repeat(59)}…\``);
    expect(describeGiven(['a'])).toBe('a list');
    expect(describeGiven({ token: 'a' })).toBe('a mapping');
    expect(describeGiven('a-secret-value', { quoteText: false })).toBe('text');
  });
});
