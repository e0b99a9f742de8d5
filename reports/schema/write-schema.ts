import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { capacityResultSchema } from '../capacity/capacity-result.js';
import { packageRoot } from '../package-root.js';
import { runResultSchema } from '../run-result.js';

/** The JSON Schema (draft 2020-12) of run.json version 1, generated from the zod schema. */
export function runJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://gauntlet.invalid/schema/run.v1.schema.json',
    ...z.toJSONSchema(runResultSchema, { target: 'draft-2020-12', io: 'output' }),
  };
}

export function runJsonSchemaText(): string {
  return `${JSON.stringify(runJsonSchema(), null, 2)}\n`;
}

/** reports/schema/run.v1.schema.json in the source tree, from the sources or from dist/. */
export function committedSchemaPath(): string {
  return join(packageRoot(), 'reports', 'schema', 'run.v1.schema.json');
}

/** The JSON Schema of capacity.json version 1 (`gauntlet capacity`). */
export function capacityJsonSchemaText(): string {
  const schema = {
    $id: 'https://gauntlet.invalid/schema/capacity.v1.schema.json',
    ...z.toJSONSchema(capacityResultSchema, { target: 'draft-2020-12', io: 'output' }),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function committedCapacitySchemaPath(): string {
  return join(packageRoot(), 'reports', 'schema', 'capacity.v1.schema.json');
}

// `node dist/reports/schema/write-schema.js` rewrites the committed files.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [file, text] of [
    [committedSchemaPath(), runJsonSchemaText()],
    [committedCapacitySchemaPath(), capacityJsonSchemaText()],
  ] as const) {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
