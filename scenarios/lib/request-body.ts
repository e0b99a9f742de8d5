import type { Endpoint } from './endpoint-mix.ts';

/** How one endpoint is called: path, whether it streams, and its JSON body. */
export interface RequestSpec {
  endpoint: Endpoint;
  path: string;
  streamed: boolean;
  body: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface RequestInput {
  /** The prompt of infer and completions, and the single user message of chat unless `messages` is given. */
  prompt: string;
  /** A conversation so far, for the chat endpoints (multi-turn workloads). */
  messages?: readonly ChatMessage[];
  maxTokens: number;
  /** Seed of the simulated model's output, so a run's answers are reproducible too. */
  seed: number;
  model: string;
}

/**
 * The request body of each endpoint kind. Streams ask for usage (stream_options.include_usage), so output
 * tokens come from the server's count and not from counting chunks (one chunk may carry several tokens).
 * `completions` is the streamed text-completions API (what vLLM's benchmark drives).
 */
export function buildRequest(endpoint: Endpoint, input: RequestInput): RequestSpec {
  const { prompt, maxTokens, seed, model } = input;
  const messages = input.messages ?? [{ role: 'user', content: prompt }];
  switch (endpoint) {
    case 'infer':
      return {
        endpoint,
        path: '/infer',
        streamed: false,
        body: JSON.stringify({ prompt, max_tokens: maxTokens, seed }),
      };
    case 'chat':
      return {
        endpoint,
        path: '/v1/chat/completions',
        streamed: false,
        body: JSON.stringify({
          model,
          messages,
          max_tokens: maxTokens,
          seed,
        }),
      };
    case 'chat_stream':
      return {
        endpoint,
        path: '/v1/chat/completions',
        streamed: true,
        body: JSON.stringify({
          model,
          messages,
          max_tokens: maxTokens,
          seed,
          stream: true,
          stream_options: { include_usage: true },
        }),
      };
    case 'completions':
      return {
        endpoint,
        path: '/v1/completions',
        streamed: true,
        body: JSON.stringify({
          model,
          prompt,
          max_tokens: maxTokens,
          seed,
          stream: true,
          stream_options: { include_usage: true },
        }),
      };
  }
}
