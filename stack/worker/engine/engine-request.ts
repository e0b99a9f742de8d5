import type { EngineConfig } from '../../../core/config/cluster-config.js';
import type { BatchItem } from '../../protocol/worker-api.js';

export type OpenAiEngineConfig = Extract<EngineConfig, { kind: 'openai' }>;

export interface EngineCall {
  path: '/v1/completions' | '/v1/chat/completions';
  body: Record<string, unknown>;
}

/**
 * The engine request for one batch item: a chat item keeps its messages (the engine applies the model's
 * chat template), any other sends its prompt. `seed` is the request's, so that a migrated stream asks the
 * engine for the same sampling again (see the README on what that does and does not guarantee).
 * Undefined when the item carries no text: the gateway did not know that the workers front an engine.
 */
export function engineCallFor(item: BatchItem, engine: OpenAiEngineConfig): EngineCall | undefined {
  const common = {
    model: engine.model,
    max_tokens: item.maxTokens,
    stream: true,
    stream_options: { include_usage: true },
    seed: item.seed,
    ...(engine.ignore_eos ? { ignore_eos: true } : {}),
  };
  if (item.messages) return { path: '/v1/chat/completions', body: { ...common, messages: item.messages } };
  if (item.prompt !== undefined) return { path: '/v1/completions', body: { ...common, prompt: item.prompt } };
  return undefined;
}
