import { describe, expect, it } from 'vitest';
import { ApiError } from './api-error.js';
import { createRequestParsers, type RequestParsers } from './request-schemas.js';

const model = 'glm-4-9b-chat';
const parsers = createRequestParsers({ modelName: model, defaultMaxTokens: 64, maxTokensLimit: 100 });

const minimal: Record<keyof RequestParsers, Record<string, unknown>> = {
  infer: { prompt: 'hi' },
  completion: { model, prompt: 'hi' },
  chat: { model, messages: [{ role: 'user', content: 'hi' }] },
};

/** The ApiError a body gets, or undefined when it parses. */
function errorOf(route: keyof RequestParsers, body: unknown): ApiError | undefined {
  try {
    parsers[route](body);
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

const shared = [
  ['temperature', 'hot', 'a number'],
  ['top_p', '0.9', 'a number'],
  ['presence_penalty', true, 'a number'],
  ['frequency_penalty', [], 'a number'],
  ['logit_bias', 'x', 'an object of numbers'],
  ['stop', 5, 'a string or an array of strings'],
  ['user', 42, 'a string'],
  ['seed', 1.5, 'an integer'],
  ['stream', 'true', 'a boolean'],
  ['stream_options', 'yes', 'an object'],
  ['n', '1', 'an integer'],
  ['ignore_eos', 1, 'a boolean'],
  ['min_tokens', 'none', 'an integer'],
  ['top_k', 0.5, 'an integer'],
  ['min_p', {}, 'a number'],
  ['repetition_penalty', 'x', 'a number'],
  ['max_tokens', '16', 'an integer'],
  ['model', 7, 'a string'],
] as const;

const wrongTypes: Array<[keyof RequestParsers, string, unknown, string]> = [
  ['infer', 'prompt', 42, 'a string'],
  ['infer', 'max_tokens', 2.5, 'an integer'],
  ['infer', 'seed', 'abc', 'an integer'],
  ['infer', 'model', false, 'a string'],
  ...shared.map(([field, value, what]): [keyof RequestParsers, string, unknown, string] => [
    'completion',
    field,
    value,
    what,
  ]),
  ...shared.map(([field, value, what]): [keyof RequestParsers, string, unknown, string] => [
    'chat',
    field,
    value,
    what,
  ]),
  ['completion', 'prompt', 5, 'a string or an array of strings'],
  ['completion', 'echo', 'no', 'a boolean'],
  ['completion', 'best_of', 'one', 'an integer'],
  ['completion', 'logprobs', true, 'an integer'],
  ['completion', 'suffix', 3, 'a string'],
  ['chat', 'messages', 'hi', 'an array of messages'],
  ['chat', 'max_completion_tokens', '8', 'an integer'],
  ['chat', 'logprobs', 1, 'a boolean'],
  ['chat', 'top_logprobs', 'two', 'an integer'],
  ['chat', 'response_format', 'json', 'an object'],
  ['chat', 'tools', {}, 'an array of tools'],
  ['chat', 'tool_choice', 3, 'a string or an object'],
  ['chat', 'parallel_tool_calls', 'yes', 'a boolean'],
  ['chat', 'functions', 'f', 'an array of functions'],
  ['chat', 'function_call', 1, 'a string or an object'],
  ['chat', 'metadata', [], 'an object of strings'],
  ['chat', 'store', 'false', 'a boolean'],
  ['chat', 'service_tier', 1, 'a string'],
  ['chat', 'reasoning_effort', 2, 'a string'],
  ['chat', 'verbosity', true, 'a string'],
  ['chat', 'modalities', 'text', 'an array of strings'],
  ['chat', 'audio', 'mp3', 'an object'],
  ['chat', 'prediction', 1, 'an object'],
  ['chat', 'web_search_options', true, 'an object'],
];

const kinds: Record<string, string> = {
  string: 'a string',
  boolean: 'a boolean',
};
const kindOf = (value: unknown) => {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return kinds[typeof value];
};

describe('request parsers: wrong types', () => {
  it.each(wrongTypes)('%s rejects %s = %j with a 400 naming the field', (route, field, value, what) => {
    const error = errorOf(route, { ...minimal[route], [field]: value });
    expect(error).toBeInstanceOf(ApiError);
    expect(error?.status).toBe(400);
    expect(error?.body()).toEqual({
      error: {
        message: `Invalid type for '${field}': expected ${what}, but got ${kindOf(value)} instead.`,
        type: 'invalid_request_error',
        param: field,
        code: 'invalid_type',
      },
    });
  });

  it('names nested fields as OpenAI does', () => {
    const cases: Array<[keyof RequestParsers, Record<string, unknown>, string]> = [
      ['chat', { messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
      ['chat', { messages: [{ role: 5, content: 'x' }] }, 'messages[0].role'],
      ['chat', { messages: ['hi'] }, 'messages[0]'],
      ['chat', { messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] }, 'messages[0].content'],
      ['chat', { messages: [{ role: 'tool', content: 'x', tool_call_id: 9 }] }, 'messages[0].tool_call_id'],
      ['chat', { stream_options: { include_usage: 'yes' } }, 'stream_options.include_usage'],
      [
        'completion',
        { stream_options: { continuous_usage_stats: 1 } },
        'stream_options.continuous_usage_stats',
      ],
      ['completion', { logit_bias: { '50256': 'ban' } }, 'logit_bias.50256'],
      ['chat', { metadata: { team: 1 } }, 'metadata.team'],
      ['chat', { response_format: { type: 1 } }, 'response_format.type'],
    ];
    for (const [route, fields, param] of cases) {
      const error = errorOf(route, { ...minimal[route], ...fields });
      expect(error?.body().error, param).toMatchObject({ param, code: 'invalid_type' });
      expect(error?.message).toContain(`Invalid type for '${param}'`);
    }
  });

  it('rejects a body that is not an object', () => {
    for (const body of [[1, 2], 'text', 5, null]) {
      expect(errorOf('chat', body)?.body().error).toMatchObject({ code: 'invalid_type', param: null });
    }
  });
});

describe('request parsers: values', () => {
  it('says which required field is missing', () => {
    expect(errorOf('chat', { model })?.body().error).toEqual({
      message: "Missing required parameter: 'messages'.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'missing_required_parameter',
    });
    expect(errorOf('completion', { prompt: 'x' })?.body().error).toMatchObject({ param: 'model' });
    expect(errorOf('infer', {})?.body().error).toMatchObject({ param: 'prompt' });
    expect(errorOf('chat', { model, messages: [{ content: 'x' }] })?.body().error).toMatchObject({
      param: 'messages[0].role',
      code: 'missing_required_parameter',
    });
  });

  it.each([
    ['chat', 'temperature', 2.5, 'must be between 0 and 2'],
    ['chat', 'top_p', -0.1, 'must be between 0 and 1'],
    ['completion', 'presence_penalty', 3, 'must be between -2 and 2'],
    ['completion', 'logprobs', 6, 'must be between 0 and 5'],
    ['chat', 'top_logprobs', 21, 'must be between 0 and 20'],
    ['chat', 'n', 2, 'only 1 is supported'],
    ['completion', 'best_of', 3, 'only 1 is supported'],
    ['chat', 'max_tokens', 101, 'must be at most 100'],
    ['infer', 'max_tokens', 0, 'must be at least 1'],
    ['completion', 'stop', ['a', 'b', 'c', 'd', 'e'], 'an array must hold 0 to 4 strings'],
    ['completion', 'prompt', [], 'an array must hold at least 1 string'],
    ['chat', 'repetition_penalty', 0, 'must be greater than 0'],
  ] as const)('%s rejects %s = %j: %s', (route, field, value, message) => {
    const error = errorOf(route, { ...minimal[route], [field]: value });
    expect(error?.status).toBe(400);
    expect(error?.body().error).toMatchObject({ param: field, type: 'invalid_request_error' });
    expect(error?.message).toContain(message);
  });

  it('rejects an unknown role with the roles allowed', () => {
    const error = errorOf('chat', { model, messages: [{ role: 'robot', content: 'x' }] });
    expect(error?.body().error).toMatchObject({ param: 'messages[0].role', code: 'invalid_value' });
    expect(error?.message).toContain('one of system, developer, user, assistant, tool, function');
  });

  it('accepts every typed field with a right value, null for the optional ones, and unknown fields', () => {
    const typical = {
      temperature: 0.7,
      top_p: 1,
      presence_penalty: 0,
      frequency_penalty: -1,
      logit_bias: { '50256': -100 },
      stop: ['\n'],
      user: 'u-1',
      seed: -3,
      stream: true,
      stream_options: { include_usage: true, continuous_usage_stats: true },
      n: 1,
      ignore_eos: true,
      min_tokens: 0,
      top_k: -1,
      min_p: 0.1,
      repetition_penalty: 1.1,
      max_tokens: 16,
      vendor_extension: { anything: 1 },
    };
    const completion = parsers.completion({
      ...minimal.completion,
      ...typical,
      echo: false,
      best_of: 1,
      logprobs: null,
      suffix: null,
    });
    expect(completion).toMatchObject({ maxTokens: 16, stream: true, includeUsage: true, seed: 2 ** 32 - 3 });
    const chat = parsers.chat({
      ...minimal.chat,
      ...typical,
      messages: [
        { role: 'system', content: null },
        { role: 'user', content: [{ type: 'text', text: 'hi' }], name: 'me' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function' }] },
        { role: 'tool', content: 'ok', tool_call_id: 't' },
      ],
      max_completion_tokens: 8,
      logprobs: true,
      top_logprobs: 2,
      response_format: { type: 'text' },
      tools: [],
      tool_choice: 'none',
      parallel_tool_calls: false,
      metadata: { team: 'a' },
      store: false,
      service_tier: 'auto',
      reasoning_effort: 'low',
      verbosity: 'low',
      modalities: ['text'],
      audio: null,
      prediction: null,
      web_search_options: null,
    });
    expect(chat).toMatchObject({ maxTokens: 8, stream: true, includeUsage: true });
    const nulls = Object.fromEntries(Object.keys(typical).map((field) => [field, null]));
    expect(parsers.chat({ ...minimal.chat, ...nulls, stream: false })).toMatchObject({
      maxTokens: 64,
      stream: false,
    });
    expect(parsers.infer({ prompt: 'x', max_tokens: 3, seed: 4, model })).toMatchObject({
      maxTokens: 3,
      seed: 4,
    });
  });
});

describe('prefix identity', () => {
  it("names a chat's prompt blocks so that the next turn of the conversation starts with the same names", () => {
    const system = { role: 'system', content: 'You are a careful assistant. '.repeat(20) };
    const first = parsers.chat({
      model,
      messages: [system, { role: 'user', content: 'What is a KV cache?' }],
    });
    const second = parsers.chat({
      model,
      messages: [
        system,
        { role: 'user', content: 'What is a KV cache?' },
        { role: 'assistant', content: 'Memory of the keys and values of past tokens. '.repeat(4) },
        { role: 'user', content: 'And a prefix cache?' },
      ],
    });
    const whole = first.prefixHashes.length;
    expect(whole).toBeGreaterThan(8);
    // Every whole block of the first prompt except a last one cut by the next message is shared.
    expect(second.prefixHashes.slice(0, whole - 1)).toEqual(first.prefixHashes.slice(0, whole - 1));
    const other = parsers.chat({ model, messages: [{ role: 'user', content: 'x'.repeat(600) }] });
    expect(other.prefixHashes[0]).not.toBe(first.prefixHashes[0]);
  });
});
