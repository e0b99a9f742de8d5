import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capacityResultSchema } from '../capacity/capacity-result.js';
import { exampleCapacity } from '../capacity/testing/example-capacity.js';
import { capacityJsonSchemaText, committedCapacitySchemaPath } from './write-schema.js';

describe('capacity.v1.schema.json', () => {
  it('is the one generated from the zod schema (regenerate: node dist/reports/schema/write-schema.js)', () => {
    const committed = readFileSync(committedCapacitySchemaPath(), 'utf8');
    expect(committed).toBe(capacityJsonSchemaText());
    const schema = JSON.parse(committed) as { properties: Record<string, unknown> };
    expect(schema.properties.schemaVersion).toEqual({ type: 'number', const: 1 });
  });

  it('accepts a full example and refuses an unknown field', () => {
    expect(() => capacityResultSchema.parse(exampleCapacity())).not.toThrow();
    expect(() => capacityResultSchema.parse({ ...exampleCapacity(), extra: 1 })).toThrow();
  });
});
