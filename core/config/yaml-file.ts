import { readFileSync } from 'node:fs';
import { type Document, isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, fieldPath } from './config-error.js';

/**
 * Parses YAML text and validates it with a zod schema. Every problem comes back as a ConfigError naming
 * the file, the line, the field and what is allowed; YAML syntax errors included.
 */
export function parseYamlWith<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          field: '',
          message: `invalid YAML: ${error.message.split('\n')[0]}`,
        };
      }),
    );
  }
  const data = doc.toJS() ?? {};
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => issueFor(schema, issue, doc, lineCounter, file, data)),
  );
}

export function loadYamlFile<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([
      { file, field: '', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code})` },
    ]);
  }
  return parseYamlWith(schema, text, file);
}

function issueFor(
  schema: z.ZodType,
  issue: z.core.$ZodIssue,
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  data: unknown,
): ConfigIssue {
  let path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let message = describe(issue, data);
  if (issue.code === 'unrecognized_keys') {
    // Point at the first unknown key itself, not its parent.
    const key = issue.keys[0];
    if (key !== undefined) path = [...path, key];
    message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed: ${allowedKeys(knownKeys(schema, issue.path, data))}`;
  }
  const node = nearestNode(doc, path);
  const offset = node?.range?.[0];
  const pos = offset === undefined ? undefined : lineCounter.linePos(offset);
  return { file, ...(pos ? { line: pos.line, column: pos.col } : {}), field: fieldPath(path), message };
}

function describe(issue: z.core.$ZodIssue, data: unknown): string {
  const got = valueAt(data, issue.path);
  const shown = got === undefined ? 'nothing' : JSON.stringify(got);
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${shown}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''} (got ${shown})`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : issue.origin === 'string' ? ' characters' : ''} (got ${shown})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (got ${shown})`;
    case 'invalid_union':
      return `${issue.message} (got ${shown})`;
    case 'invalid_format':
      return `${issue.message} (got ${shown})`;
    default:
      return `${issue.message} (got ${shown})`;
  }
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = data;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function nearestNode(doc: Document, path: Array<string | number>): Node | undefined {
  for (let len = path.length; len >= 0; len--) {
    const sub = path.slice(0, len);
    // For a map key, point at the key (the line a person reads), not the value.
    if (len > 0) {
      const parent = len === 1 ? doc.contents : doc.getIn(path.slice(0, len - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (item) => (item.key as { value?: unknown } | null)?.value === sub[len - 1],
        );
        if (pair?.key && (pair.key as Node).range) return pair.key as Node;
      }
      if (isSeq(parent)) {
        const item = parent.items[sub[len - 1] as number] as Node | undefined;
        if (item?.range) return item;
      }
    }
    if (len === 0 && doc.contents) return doc.contents as Node;
  }
  return undefined;
}

function allowedKeys(schemaKeys: readonly string[] | undefined): string {
  return schemaKeys && schemaKeys.length > 0 ? schemaKeys.join(', ') : 'see the reference in README.md';
}

interface SchemaDef {
  type?: string;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  options?: readonly unknown[];
  discriminator?: string;
}

const defOf = (schema: unknown): SchemaDef | undefined => (schema as { def?: SchemaDef }).def;
const shapeOf = (schema: unknown): Record<string, unknown> | undefined =>
  (schema as { shape?: Record<string, unknown> }).shape;

/** Looks through defaults, optionals, nullables, prefaults and pipes to the schema that holds the shape. */
function unwrapped(schema: unknown): unknown {
  let cur = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(cur);
    if (!def) return cur;
    if (
      def.type === 'default' ||
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'prefault'
    )
      cur = def.innerType;
    else if (def.type === 'pipe') cur = def.in;
    else return cur;
  }
  return cur;
}

/**
 * The member of a union that the data at this point was meant for: by the discriminator's value for a
 * discriminated union (a fault's `action`), else the one member whose only complaint is unknown keys.
 */
function matchedMember(union: unknown, data: unknown): unknown {
  const def = defOf(union);
  const options = (def?.options ?? []).map(unwrapped);
  const discriminator = def?.discriminator;
  if (discriminator !== undefined && data !== null && typeof data === 'object') {
    const value = (data as Record<string, unknown>)[discriminator];
    return options.find((option) => {
      const tag = shapeOf(option)?.[discriminator] as z.ZodType | undefined;
      return tag?.safeParse(value).success === true;
    });
  }
  const fits = options.filter((option) => {
    const result = (option as z.ZodType).safeParse(data);
    return result.success || result.error.issues.every((issue) => issue.code === 'unrecognized_keys');
  });
  return fits.length === 1 ? fits[0] : undefined;
}

/**
 * The keys an object schema allows at `path`, walking through defaults, optionals, arrays and unions (the
 * member the data at that point matches), so an unknown key under a fault lists that fault's own keys.
 */
function knownKeys(schema: z.ZodType, path: ReadonlyArray<PropertyKey>, data: unknown): string[] | undefined {
  let cur = unwrapped(schema);
  let value = data;
  const resolveUnion = () => {
    if (defOf(cur)?.type === 'union') cur = unwrapped(matchedMember(cur, value));
  };
  resolveUnion();
  for (const part of path) {
    const def = defOf(cur);
    if (def?.type === 'array') cur = def.element;
    else {
      const shape = shapeOf(cur);
      if (!shape) return undefined;
      cur = shape[String(part)];
    }
    value =
      value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
    cur = unwrapped(cur);
    resolveUnion();
  }
  const shape = shapeOf(cur);
  return shape ? Object.keys(shape) : undefined;
}
