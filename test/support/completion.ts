import type { StackHandle } from '../../core/platform/platform.js';

/** One short completion through the stack's gateway; its HTTP status. */
export async function completion(stack: StackHandle, prompt = 'hello'): Promise<number> {
  const response = await fetch(`${stack.gatewayUrl}/v1/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: stack.config.model_name, prompt, max_tokens: 4 }),
    signal: AbortSignal.timeout(10_000),
  });
  await response.text();
  return response.status;
}
