import { request } from 'undici';
import type { SubmitEvent, SubmitRequest } from '../protocol/batcher-api.js';

export interface SubmitAnswer {
  status: number;
  headers: Record<string, string>;
  /** NDJSON events of a 200 answer; empty otherwise. */
  events: SubmitEvent[];
  /** The parsed JSON body of an error answer. */
  error?: { code: string; message: string };
}

let counter = 0;

/** A SubmitRequest with test defaults. */
export function submitRequest(overrides: Partial<SubmitRequest> = {}): SubmitRequest {
  counter++;
  return { id: `req-${counter}`, promptTokens: 16, maxTokens: 4, seed: counter, stream: true, ...overrides };
}

/** Posts one submit to a batcher and reads the whole answer (for tests and probes). */
export async function submitTo(
  batcherUrl: string,
  body: SubmitRequest,
  signal?: AbortSignal,
): Promise<SubmitAnswer> {
  const response = await request(`${batcherUrl}/v1/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
  const text = await response.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  if (response.statusCode !== 200) {
    const parsed = JSON.parse(text) as { error: { code: string; message: string } };
    return { status: response.statusCode, headers, events: [], error: parsed.error };
  }
  const events = text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as SubmitEvent);
  return { status: response.statusCode, headers, events };
}
