import { z } from 'zod';
import { prefixBlockHashes } from '../protocol/prefix-blocks.js';
import { estimateTokens, hashSeed } from '../protocol/tokens.js';
import { ApiError } from './api-error.js';
import { parseRequest } from './parse-request.js';
import {
  anyObject,
  arrayOf,
  atLeast,
  between,
  boolean,
  integer,
  integerBetween,
  number,
  object,
  oneOf,
  string,
  stringOrStrings,
  tokenCount,
} from './request-fields.js';

/** What every inference route reduces its body to before it goes to a batcher. */
export interface InferenceRequest {
  promptTokens: number;
  maxTokens: number;
  seed: number;
  stream: boolean;
  includeUsage: boolean;
  /** The prompt's block hashes: its identity for the workers' prefix caches. */
  prefixHashes: number[];
  /** The prompt's text (chat: the messages joined), for workers that front a real engine. */
  promptText: string;
  /** A chat request's messages as text, so that a real engine applies its own chat template. */
  messages?: Array<{ role: string; content: string }>;
}

export interface RequestLimits {
  modelName: string;
  defaultMaxTokens: number;
  maxTokensLimit: number;
}

const onlyOne = () =>
  integer()
    .refine((value) => value === 1, 'only 1 is supported')
    .nullish();
const stringOrObject = () =>
  z.union([z.string(), anyObject()], { error: () => 'a string or an object' }).nullish();

/** Sampling and bookkeeping fields of both OpenAI text APIs; a simulated model ignores their values. */
const sharedOptional = {
  temperature: between(0, 2).nullish(),
  top_p: between(0, 1).nullish(),
  presence_penalty: between(-2, 2).nullish(),
  frequency_penalty: between(-2, 2).nullish(),
  logit_bias: z.record(z.string(), between(-100, 100), { error: () => 'an object of numbers' }).nullish(),
  stop: stringOrStrings({ min: 0, max: 4 }).nullish(),
  user: string().nullish(),
  seed: integer().nullish(),
  stream: boolean().nullish(),
  stream_options: object({
    include_usage: boolean().nullish(),
    // vLLM's extension (usage on every chunk); GuideLLM sends it. Accepted, not honoured.
    continuous_usage_stats: boolean().nullish(),
  }).nullish(),
  n: onlyOne(),
  // vLLM's sampling extensions that benchmark clients send (GuideLLM sends ignore_eos).
  ignore_eos: boolean().nullish(),
  min_tokens: atLeast(0).nullish(),
  top_k: integer().nullish(),
  min_p: between(0, 1).nullish(),
  repetition_penalty: number().gt(0, 'must be greater than 0').nullish(),
};

const contentPart = object({ type: string(), text: string().optional() });
const message = object({
  role: oneOf(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z
    .union([z.string(), z.null(), z.array(contentPart)], {
      error: () => 'a string, null or an array of content parts',
    })
    .optional(),
  name: string().nullish(),
  tool_call_id: string().nullish(),
  tool_calls: arrayOf(anyObject(), 'an array of tool calls').nullish(),
});

/** Chat-only fields, typed as OpenAI documents them; a simulated model ignores their values. */
const chatOptional = {
  logprobs: boolean().nullish(),
  top_logprobs: integerBetween(0, 20).nullish(),
  response_format: object({ type: string() }).nullish(),
  tools: arrayOf(anyObject(), 'an array of tools').nullish(),
  tool_choice: stringOrObject(),
  parallel_tool_calls: boolean().nullish(),
  functions: arrayOf(anyObject(), 'an array of functions').nullish(),
  function_call: stringOrObject(),
  metadata: z.record(z.string(), z.string(), { error: () => 'an object of strings' }).nullish(),
  store: boolean().nullish(),
  service_tier: string().nullish(),
  reasoning_effort: string().nullish(),
  verbosity: string().nullish(),
  modalities: arrayOf(string(), 'an array of strings').nullish(),
  audio: anyObject().nullish(),
  prediction: anyObject().nullish(),
  web_search_options: anyObject().nullish(),
};

/** Legacy-completion-only fields, typed as OpenAI documents them. */
const completionOptional = {
  echo: boolean().nullish(),
  best_of: onlyOne(),
  logprobs: integerBetween(0, 5).nullish(),
  suffix: string().nullish(),
};

/**
 * The body schemas of the three inference routes. Every field that OpenAI (and vLLM's common extensions)
 * define for a route is type-checked, also those a simulated model has no use for (temperature), so that
 * a wrongly typed field gets a 400 naming it, as from OpenAI. Unknown fields are ignored, as vLLM does,
 * because peer clients send other servers' extensions.
 */
export function createRequestParsers(limits: RequestLimits) {
  const maxTokens = () => tokenCount(limits.maxTokensLimit);
  const infer = z.object({
    prompt: string(),
    max_tokens: maxTokens().optional(),
    seed: integer().optional(),
    model: string().optional(),
  });
  const completion = z.object({
    model: string(),
    prompt: stringOrStrings({ min: 1 }),
    max_tokens: maxTokens().nullish(),
    ...sharedOptional,
    ...completionOptional,
  });
  const chat = z.object({
    model: string(),
    messages: arrayOf(message, 'an array of messages').min(1, 'must hold at least one message'),
    max_tokens: maxTokens().nullish(),
    max_completion_tokens: maxTokens().nullish(),
    ...sharedOptional,
    ...chatOptional,
  });

  const checkModel = (name: string | undefined) => {
    if (name !== undefined && name !== limits.modelName) {
      throw new ApiError(
        404,
        'invalid_request_error',
        'model_not_found',
        `The model '${name}' does not exist; this cluster serves '${limits.modelName}'`,
        'model',
      );
    }
  };

  const finish = (
    promptText: string,
    promptTokens: number,
    fields: { max_tokens?: number | null; seed?: number | null },
    stream: boolean,
    includeUsage: boolean,
    messages?: Array<{ role: string; content: string }>,
  ): InferenceRequest => ({
    promptTokens,
    maxTokens: fields.max_tokens ?? limits.defaultMaxTokens,
    // The worker draws tokens from a 32-bit seed; any integer the client gives maps onto one.
    seed: (fields.seed ?? hashSeed(promptText)) >>> 0,
    stream,
    includeUsage: stream && includeUsage,
    prefixHashes: prefixBlockHashes(promptText),
    promptText,
    ...(messages ? { messages } : {}),
  });

  return {
    infer(body: unknown): InferenceRequest {
      const parsed = parseRequest(infer, body);
      checkModel(parsed.model);
      return finish(parsed.prompt, estimateTokens(parsed.prompt), parsed, false, false);
    },
    completion(body: unknown): InferenceRequest {
      const parsed = parseRequest(completion, body);
      checkModel(parsed.model);
      // A list of prompts would mean one choice each; a simulated model answers them as one joined prompt.
      const prompt = typeof parsed.prompt === 'string' ? parsed.prompt : parsed.prompt.join('\n');
      const stream = parsed.stream ?? false;
      const includeUsage = parsed.stream_options?.include_usage ?? false;
      return finish(prompt, estimateTokens(prompt), parsed, stream, includeUsage);
    },
    chat(body: unknown): InferenceRequest {
      const parsed = parseRequest(chat, body);
      checkModel(parsed.model);
      let promptTokens = 0;
      const texts: string[] = [];
      const messages: Array<{ role: string; content: string }> = [];
      for (const entry of parsed.messages) {
        const text = contentText(entry.content);
        promptTokens += estimateTokens(text) + 4;
        texts.push(`${entry.role}\n${text}`);
        messages.push({ role: entry.role, content: text });
      }
      const stream = parsed.stream ?? false;
      const includeUsage = parsed.stream_options?.include_usage ?? false;
      const maxTokens = parsed.max_completion_tokens ?? parsed.max_tokens;
      return finish(
        texts.join('\n'),
        promptTokens,
        { max_tokens: maxTokens, seed: parsed.seed },
        stream,
        includeUsage,
        messages,
      );
    },
  };
}

export type RequestParsers = ReturnType<typeof createRequestParsers>;

function contentText(
  content: string | null | undefined | Array<{ type: string; text?: string | undefined }>,
): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
}
