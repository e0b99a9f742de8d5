import { z } from 'zod';
import { estimateTokens, hashSeed } from '../protocol/tokens.js';
import { ApiError, invalidRequest } from './api-error.js';

/** What every inference route reduces its body to before it goes to a batcher. */
export interface InferenceRequest {
  promptTokens: number;
  maxTokens: number;
  seed: number;
  stream: boolean;
  includeUsage: boolean;
}

export interface RequestLimits {
  modelName: string;
  defaultMaxTokens: number;
  maxTokensLimit: number;
}

const expected = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${what}`),
});

const integer = () => z.number(expected('an integer')).int('must be an integer');
const tokenCount = (limit: number) =>
  integer().min(1, 'must be at least 1').max(limit, `must be at most ${limit}`);
const seed = () => integer();
const model = () => z.string(expected('a string'));

const textPart = z.object({ type: z.string(expected('a string')), text: z.string().optional() });
const message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function'], {
    error: 'must be one of system, developer, user, assistant, tool, function',
  }),
  content: z
    .union([z.string(), z.null(), z.array(textPart)], {
      error: 'must be a string, null or an array of content parts',
    })
    .optional(),
});

const streamFields = {
  stream: z.boolean(expected('a boolean')).nullish(),
  stream_options: z
    .object({ include_usage: z.boolean(expected('a boolean')).optional() }, expected('an object'))
    .nullish(),
  n: z.literal(1, 'only 1 is supported').nullish(),
};

/**
 * The body schemas of the three inference routes. Unknown fields pass (OpenAI clients send many that a
 * simulated model has no use for, such as temperature); the fields used are checked strictly.
 */
export function createRequestParsers(limits: RequestLimits) {
  const infer = z.object({
    prompt: z.string(expected('a string')),
    max_tokens: tokenCount(limits.maxTokensLimit).optional(),
    seed: seed().optional(),
    model: model().optional(),
  });
  const completion = z.object({
    model: model(),
    prompt: z.union([z.string(), z.array(z.string()).min(1)], {
      error: (issue) =>
        issue.input === undefined ? 'is required' : 'must be a string or a non-empty array of strings',
    }),
    max_tokens: tokenCount(limits.maxTokensLimit).nullish(),
    seed: seed().nullish(),
    ...streamFields,
  });
  const chat = z.object({
    model: model(),
    messages: z.array(message, expected('an array of messages')).min(1, 'must hold at least one message'),
    max_tokens: tokenCount(limits.maxTokensLimit).nullish(),
    max_completion_tokens: tokenCount(limits.maxTokensLimit).nullish(),
    seed: seed().nullish(),
    ...streamFields,
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
  ): InferenceRequest => ({
    promptTokens,
    maxTokens: fields.max_tokens ?? limits.defaultMaxTokens,
    // The worker draws tokens from a 32-bit seed; any integer the client gives maps onto one.
    seed: (fields.seed ?? hashSeed(promptText)) >>> 0,
    stream,
    includeUsage: stream && includeUsage,
  });

  return {
    infer(body: unknown): InferenceRequest {
      const parsed = parseWith(infer, body);
      checkModel(parsed.model);
      return finish(parsed.prompt, estimateTokens(parsed.prompt), parsed, false, false);
    },
    completion(body: unknown): InferenceRequest {
      const parsed = parseWith(completion, body);
      checkModel(parsed.model);
      // A list of prompts would mean one choice each; a simulated model answers them as one joined prompt.
      const prompt = typeof parsed.prompt === 'string' ? parsed.prompt : parsed.prompt.join('\n');
      const stream = parsed.stream ?? false;
      const includeUsage = parsed.stream_options?.include_usage ?? false;
      return finish(prompt, estimateTokens(prompt), parsed, stream, includeUsage);
    },
    chat(body: unknown): InferenceRequest {
      const parsed = parseWith(chat, body);
      checkModel(parsed.model);
      let promptTokens = 0;
      const texts: string[] = [];
      for (const entry of parsed.messages) {
        const text = contentText(entry.content);
        promptTokens += estimateTokens(text) + 4;
        texts.push(`${entry.role}\n${text}`);
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

function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object', null);
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidRequest('Invalid request body', null);
  const param = paramName(issue.path);
  const missing = valueAt(body, issue.path) === undefined;
  const code = missing ? 'missing_required_parameter' : 'invalid_value';
  throw invalidRequest(`Invalid '${param}': ${issue.message}`, param, code);
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function paramName(path: readonly PropertyKey[]): string {
  let name = '';
  for (const key of path) {
    if (typeof key === 'number') name += `[${key}]`;
    else name += name ? `.${String(key)}` : String(key);
  }
  return name;
}
