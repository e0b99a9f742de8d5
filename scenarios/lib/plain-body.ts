import type { Endpoint } from './endpoint-mix.ts';

export interface PlainBody {
  /** The body is the JSON the endpoint promises: /infer `{output}`, chat `{choices:[{message}]}`. */
  valid: boolean;
  completionTokens?: number;
  promptTokens?: number;
}

/** Reads a non-streamed 2xx answer: is it whole, and how many tokens did the server count. */
export function readPlainBody(endpoint: Endpoint, body: string): PlainBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { valid: false };
  }
  if (typeof parsed !== 'object' || parsed === null) return { valid: false };
  const answer = parsed as {
    output?: unknown;
    choices?: unknown;
    usage?: { completion_tokens?: unknown; prompt_tokens?: unknown } | null;
  };
  const valid =
    endpoint === 'infer'
      ? typeof answer.output === 'string'
      : Array.isArray(answer.choices) && answer.choices.length > 0;
  const out: PlainBody = { valid };
  const usage = answer.usage;
  if (usage && typeof usage.completion_tokens === 'number') out.completionTokens = usage.completion_tokens;
  if (usage && typeof usage.prompt_tokens === 'number') out.promptTokens = usage.prompt_tokens;
  return out;
}
