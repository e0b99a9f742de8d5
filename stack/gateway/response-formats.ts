/**
 * How each API shapes an answer: one JSON body when not streamed; when streamed, SSE chunks in OpenAI's
 * shapes (`chat.completion.chunk`, `text_completion`), which the official `openai` client parses.
 */
export type FinishReason = 'length' | 'stop';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ResponseFormat {
  /** The whole answer of a non-streamed request. */
  complete(text: string, usage: Usage, finishReason: FinishReason): unknown;
  /** Chunks sent before the first content (chat: the assistant role). */
  opening(): unknown[];
  delta(text: string): unknown;
  finish(finishReason: FinishReason): unknown;
  /** The final usage chunk, sent only when the client asked for it (stream_options.include_usage). */
  usage(usage: Usage): unknown;
}

export interface FormatContext {
  requestId: string;
  model: string;
  includeUsage: boolean;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The Open-AutoGLM seed's own `POST /infer` answer; never streamed. */
export function inferFormat({ requestId, model }: FormatContext): ResponseFormat {
  const unsupported = () => {
    throw new Error('/infer does not stream');
  };
  return {
    complete: (text, usage, finishReason) => ({
      id: requestId,
      object: 'inference',
      model,
      output: text,
      usage,
      finish_reason: finishReason,
    }),
    opening: () => [],
    delta: unsupported,
    finish: unsupported,
    usage: unsupported,
  };
}

export function completionFormat({ requestId, model, includeUsage }: FormatContext): ResponseFormat {
  const id = `cmpl-${requestId}`;
  const created = nowSeconds();
  // With include_usage OpenAI puts `usage: null` on every chunk but the last.
  const chunkUsage = includeUsage ? { usage: null } : {};
  const chunk = (text: string, finishReason: FinishReason | null) => ({
    id,
    object: 'text_completion',
    created,
    model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    ...chunkUsage,
  });
  return {
    complete: (text, usage, finishReason) => ({
      id,
      object: 'text_completion',
      created,
      model,
      choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
      usage,
    }),
    opening: () => [],
    delta: (text) => chunk(text, null),
    finish: (finishReason) => chunk('', finishReason),
    usage: (usage) => ({ id, object: 'text_completion', created, model, choices: [], usage }),
  };
}

export function chatFormat({ requestId, model, includeUsage }: FormatContext): ResponseFormat {
  const id = `chatcmpl-${requestId}`;
  const created = nowSeconds();
  const chunkUsage = includeUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, string | null>, finishReason: FinishReason | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...chunkUsage,
  });
  return {
    complete: (text, usage, finishReason) => ({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
    }),
    opening: () => [chunk({ role: 'assistant', content: '', refusal: null }, null)],
    delta: (text) => chunk({ content: text }, null),
    finish: (finishReason) => chunk({}, finishReason),
    usage: (usage) => ({ id, object: 'chat.completion.chunk', created, model, choices: [], usage }),
  };
}
