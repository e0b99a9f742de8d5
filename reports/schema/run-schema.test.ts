import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { committedSchemaPath, runJsonSchemaText } from './write-schema.js';

describe('run.v1.schema.json', () => {
  it('is the one generated from the zod schema (regenerate: node dist/reports/schema/write-schema.js)', () => {
    const committed = readFileSync(committedSchemaPath(), 'utf8');
    expect(committed).toBe(runJsonSchemaText());
    const schema = JSON.parse(committed) as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(schema.properties.schemaVersion).toEqual({ type: 'number', const: 1 });
    expect(schema.additionalProperties).toBe(false);
  });
});
