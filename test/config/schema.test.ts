import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { observabilityJsonSchema } from '../../src/config/index.js';

const SCHEMA_FILE = fileURLToPath(new URL('../../schema/observability.schema.json', import.meta.url));

describe('schema/observability.schema.json', () => {
  it('is exactly what the zod schema generates (UPDATE_SCHEMA=1 rewrites it)', () => {
    const generated = observabilityJsonSchema();
    if (process.env.UPDATE_SCHEMA === '1') {
      fs.writeFileSync(SCHEMA_FILE, `${JSON.stringify(generated, null, 2)}\n`);
    }
    const committed = JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as unknown;
    expect(committed).toEqual(generated);
  });

  it('gives editors a title, closed objects and help on every top-level key', () => {
    const schema = observabilityJsonSchema() as {
      $schema: string;
      title: string;
      additionalProperties: boolean;
      properties: Record<string, { description?: string }>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toContain('observability.yaml');
    expect(schema.additionalProperties).toBe(false);
    const undocumented = Object.entries(schema.properties)
      .filter(([, property]) => !property.description)
      .map(([key]) => key);
    expect(undocumented).toEqual([]);
  });

  it('accepts environment references where a secret goes, and documents the defaults', () => {
    const schema = observabilityJsonSchema() as {
      properties: Record<string, { pattern?: string; default?: unknown; anyOf?: { pattern?: string }[] }>;
    };
    const pattern = new RegExp(schema.properties.api_key?.pattern ?? '^$');
    expect(pattern.test('{{env.DATADOG_API_KEY}}')).toBe(true);
    expect(pattern.test('{{ env.DATADOG_API_KEY }}')).toBe(true);
    expect(pattern.test('env:DATADOG_API_KEY')).toBe(true);
    expect(pattern.test('0123456789abcdef')).toBe(false);
    expect(schema.properties.timeout?.default).toBe('10s');
    expect(schema.properties.site?.default).toBe('datadoghq.com');
  });

  it('matches the shape of the full example file (keys only the schema knows)', () => {
    const example = parse(
      fs.readFileSync(fileURLToPath(new URL('./fixtures/full-observability.yaml', import.meta.url)), 'utf8'),
    ) as Record<string, unknown>;
    const schema = observabilityJsonSchema() as { properties: Record<string, unknown> };
    for (const key of Object.keys(example)) expect(Object.keys(schema.properties)).toContain(key);
  });
});
