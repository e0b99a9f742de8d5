/** What one streamed chunk of an OpenAI-compatible engine says, reduced to what a worker forwards. */
export interface EngineChunk {
  /** The text this chunk adds (empty for role, finish and usage chunks). */
  text: string;
  finishReason?: 'length' | 'stop';
  completionTokens?: number;
  promptTokens?: number;
  /** The engine reported an error inside the stream (vLLM does so once the answer has started). */
  error?: string;
}

type Json = Record<string, unknown>;

/**
 * Reads one `data:` payload of `/v1/completions` (choices[0].text) or `/v1/chat/completions`
 * (choices[0].delta.content). Anything unreadable is an error, not a silent skip: a worker that dropped
 * text would deliver a wrong answer that no verdict could see.
 */
export function readEngineChunk(payload: string): EngineChunk {
  let value: Json;
  try {
    value = JSON.parse(payload) as Json;
  } catch {
    return { text: '', error: `the engine sent a chunk that is not JSON: ${payload.slice(0, 200)}` };
  }
  const error = value.error as Json | string | undefined;
  if (error !== undefined) {
    const message = typeof error === 'string' ? error : String(error.message ?? JSON.stringify(error));
    return { text: '', error: `the engine failed mid-stream: ${message}` };
  }
  const chunk: EngineChunk = { text: '' };
  const usage = value.usage as Json | undefined | null;
  if (usage && typeof usage.completion_tokens === 'number') chunk.completionTokens = usage.completion_tokens;
  if (usage && typeof usage.prompt_tokens === 'number') chunk.promptTokens = usage.prompt_tokens;
  const choice = (value.choices as Json[] | undefined)?.[0];
  if (choice) {
    const delta = choice.delta as Json | undefined;
    const text = delta ? delta.content : choice.text;
    if (typeof text === 'string') chunk.text = text;
    const finish = choice.finish_reason;
    // Engines also say 'abort' or 'tool_calls'; a finished answer that is not cut by length stopped.
    if (typeof finish === 'string') chunk.finishReason = finish === 'length' ? 'length' : 'stop';
  }
  return chunk;
}
