import type { z } from 'zod';
import { invalidRequest } from './api-error.js';
import { kindOf } from './request-fields.js';

/**
 * Parses a JSON body with `schema`; the first problem becomes a 400 in OpenAI's shape and wording, naming
 * the field: `Missing required parameter: 'messages'.`, `Invalid type for 'temperature': expected a
 * number, but got a string instead.`, or `Invalid 'max_tokens': must be at most 4096.`
 */
export function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(
      `The request body must be a JSON object, but got ${kindOf(body)} instead.`,
      null,
      'invalid_type',
    );
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidRequest('Invalid request body.', null);
  const param = paramName(issue.path);
  const value = valueAt(body, issue.path);
  if (value === undefined) {
    throw invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  }
  if (issue.code === 'invalid_type' || issue.code === 'invalid_union') {
    throw invalidRequest(
      `Invalid type for '${param}': expected ${issue.message}, but got ${kindOf(value)} instead.`,
      param,
      'invalid_type',
    );
  }
  throw invalidRequest(`Invalid '${param}': ${issue.message}.`, param, 'invalid_value');
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `messages[0].content`, as OpenAI names nested parameters. */
function paramName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const key of path) {
    if (typeof key === 'number') name += `[${key}]`;
    else name += name ? `.${String(key)}` : String(key);
  }
  return name;
}
