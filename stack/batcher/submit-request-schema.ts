import { z } from 'zod';
import type { SubmitRequest } from '../protocol/batcher-api.js';

/** The gateway's SubmitRequest, validated at the door; extra fields are ignored for forward compatibility. */
export const submitRequestSchema: z.ZodType<SubmitRequest> = z.object({
  id: z.string().min(1).max(256),
  promptTokens: z.number().int().min(0).max(10_000_000),
  maxTokens: z.number().int().min(1).max(1_000_000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  stream: z.boolean(),
  resumeFrom: z.number().int().min(0).max(1_000_000).optional(),
});

export type SubmitParse = { ok: true; request: SubmitRequest } | { ok: false; message: string };

export function parseSubmitRequest(raw: Buffer): SubmitParse {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  const result = submitRequestSchema.safeParse(json);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  const field = issue?.path.join('.') || '(body)';
  return { ok: false, message: `${field}: ${issue?.message ?? 'invalid'}` };
}
