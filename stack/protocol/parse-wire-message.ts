import type { z } from 'zod';

export type WireParse<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Parses a request body against its wire schema. Bad bodies get one line naming the first offending field
 * (`items.0.promptTokens: Too small ...`), which both services send back as their 400 `bad_request`.
 */
export function parseWireMessage<S extends z.ZodType>(schema: S, raw: Buffer): WireParse<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || '(body)';
  return { ok: false, message: `${field}: ${issue?.message ?? 'invalid'}` };
}
