import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type GatewayConfig, gatewaySchema } from '../../core/config/cluster-config.js';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import { estimateTokens, hashSeed, tokenStream, tokenText } from '../protocol/tokens.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import {
  type FakeBatcher,
  type FakeBatcherBehavior,
  refusedUrl,
  startFakeBatcher,
} from '../testing/fake-batcher.js';
import { type GatewayServer, startGatewayServer } from './gateway-server.js';

const apiKey = 'test-key-0123456789';
const model = 'glm-4-9b-chat';
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(id: string, behavior?: FakeBatcherBehavior): Promise<FakeBatcher> {
  const batcher = await startFakeBatcher(id, behavior);
  cleanups.push(() => batcher.close());
  return batcher;
}

async function gatewayOver(
  records: BatcherRecord[],
  overrides: Partial<GatewayConfig> = {},
): Promise<GatewayServer> {
  const gateway = await startGatewayServer({
    gateway: { ...gatewaySchema.parse({}), ...overrides },
    modelName: model,
    apiKeys: [apiKey],
    batchers: new StaticRecordSource(records),
  });
  cleanups.push(() => gateway.close());
  return gateway;
}

function post(gateway: GatewayServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The `data:` payloads of an SSE body, [DONE] included as a string. */
async function sseEvents(response: Response): Promise<unknown[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => {
      const data = block.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

const expectedText = (seed: number, count: number) => {
  const next = tokenStream(seed);
  return Array.from({ length: count }, () => tokenText(next())).join('');
};

const metricValue = async (gateway: GatewayServer, name: string) =>
  (await gateway.metrics.registry.getSingleMetricAsString(name))
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);

describe('gateway /infer and /v1/completions', () => {
  it('answers /infer with the seeded text, usage and the batcher evidence headers', async () => {
    const batcher = await fake('b-0');
    const gateway = await gatewayOver([batcher.record]);
    const prompt = 'Explain continuous batching in one paragraph.';
    const response = await post(gateway, '/infer', { prompt }, { 'x-request-id': 'req-infer-1' });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      id: 'req-infer-1',
      object: 'inference',
      model,
      output: expectedText(hashSeed(prompt), 16),
      usage: {
        prompt_tokens: estimateTokens(prompt),
        completion_tokens: 16,
        total_tokens: estimateTokens(prompt) + 16,
      },
      finish_reason: 'length',
    });
    expect(batcher.requests).toEqual([
      {
        id: 'req-infer-1',
        promptTokens: estimateTokens(prompt),
        maxTokens: 16,
        seed: hashSeed(prompt),
        stream: false,
      },
    ]);
    expect(response.headers.get('x-request-id')).toBe('req-infer-1');
    expect(response.headers.get('x-gauntlet-batcher-id')).toBe('b-0');
    expect(response.headers.get('x-gauntlet-worker-id')).toBe('worker-fake-0');
    expect(response.headers.get('x-gauntlet-queue-ms')).toBe('7');
    expect(response.headers.get('x-gauntlet-batch-size')).toBe('4');
    expect(response.headers.get('x-gauntlet-attempts')).toBe('1');
  });

  it('answers /v1/completions non-streamed and streamed with the same text and usage', async () => {
    const batcher = await fake('b-0', { kind: 'ok', tokensPerLine: 2 });
    const gateway = await gatewayOver([batcher.record]);
    const request = { model, prompt: ['Hello', 'world'], max_tokens: 5, seed: 7 };
    const plain = await post(gateway, '/v1/completions', request, { 'x-request-id': 'c1' });
    const body = await plain.json();
    const promptTokens = estimateTokens('Hello\nworld');
    expect(body).toMatchObject({
      id: 'cmpl-c1',
      object: 'text_completion',
      model,
      choices: [{ index: 0, text: expectedText(7, 5), finish_reason: 'length', logprobs: null }],
      usage: { prompt_tokens: promptTokens, completion_tokens: 5, total_tokens: promptTokens + 5 },
    });

    const streamed = await post(gateway, '/v1/completions', {
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    expect(streamed.headers.get('cache-control')).toBe('no-cache');
    expect(streamed.headers.get('x-gauntlet-batcher-id')).toBe('b-0');
    const events = (await sseEvents(streamed)) as Array<{
      choices: Array<{ text: string; finish_reason: string | null }>;
      usage?: unknown;
    }>;
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1);
    // 5 tokens at 2 a line: 3 content chunks, the finish chunk, the usage chunk.
    expect(chunks).toHaveLength(5);
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('')).toBe(expectedText(7, 5));
    expect(chunks[3]?.choices[0]?.finish_reason).toBe('length');
    expect(chunks[4]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: promptTokens, completion_tokens: 5 },
    });
    expect(batcher.requests.map((request) => request.stream)).toEqual([false, true]);
  });

  it('answers GET /v1/models, /healthz, /readyz and /metrics', async () => {
    const batcher = await fake('b-0');
    const gateway = await gatewayOver([batcher.record]);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data).toEqual([
      { id: model, object: 'model', created: expect.any(Number), owned_by: 'gauntlet' },
    ]);
    expect((await client.models.retrieve(model)).id).toBe(model);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('gauntlet_gateway_requests_total{route="/v1/models",code="200"} 1');
    expect(metrics).toContain('gauntlet_gateway_routable_batchers 1');
    expect(metrics).toContain('gauntlet_gateway_inflight_requests 0');

    const empty = await gatewayOver([]);
    expect((await fetch(`${empty.url}/readyz`)).status).toBe(503);
    const none = await post(empty, '/infer', { prompt: 'x' });
    expect(none.status).toBe(503);
    expect((await none.json()).error).toMatchObject({ type: 'server_error', code: 'no_batchers' });
  });
});

describe('gateway /v1/chat/completions with the official openai client', () => {
  const messages = [
    { role: 'system' as const, content: 'You are terse.' },
    { role: 'user' as const, content: 'What is a KV cache?' },
  ];
  const promptTokens = estimateTokens('You are terse.') + 4 + estimateTokens('What is a KV cache?') + 4;

  it('answers non-streamed with usage and the x-request-id in the id', async () => {
    const batcher = await fake('b-0');
    const gateway = await gatewayOver([batcher.record]);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
    const { data, response } = await client.chat.completions
      .create(
        { model, messages, max_completion_tokens: 12, seed: 99 },
        { headers: { 'x-request-id': 'chat-1' } },
      )
      .withResponse();
    expect(data.id).toBe('chatcmpl-chat-1');
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: expectedText(99, 12) });
    expect(data.choices[0]?.finish_reason).toBe('length');
    expect(data.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 12,
      total_tokens: promptTokens + 12,
    });
    expect(response.headers.get('x-gauntlet-batcher-id')).toBe('b-0');
    expect(batcher.requests[0]).toMatchObject({ maxTokens: 12, seed: 99, stream: false, promptTokens });
  });

  it('streams role, content, finish and (only when asked) usage', async () => {
    const batcher = await fake('b-0', { kind: 'ok', tokensPerLine: 3 });
    const gateway = await gatewayOver([batcher.record]);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model, messages, max_tokens: 10, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(response.headers.get('x-gauntlet-worker-id')).toBe('worker-fake-0');
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.object).toBe('chat.completion.chunk');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    const seed = hashSeed(messages.map((m) => `${m.role}\n${m.content}`).join('\n'));
    expect(text).toBe(expectedText(seed, 10));
    const finishing = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finishing.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['length']);
    expect(chunks.at(-1)?.usage).toEqual({
      prompt_tokens: promptTokens,
      completion_tokens: 10,
      total_tokens: promptTokens + 10,
    });
    // role + 4 content chunks (3+3+3+1) + finish + usage
    expect(chunks).toHaveLength(7);

    const withoutUsage = await client.chat.completions.create({
      model,
      messages,
      max_tokens: 4,
      stream: true,
    });
    const plainChunks = [];
    for await (const chunk of withoutUsage) plainChunks.push(chunk);
    expect(plainChunks.every((chunk) => chunk.usage === undefined || chunk.usage === null)).toBe(true);
    expect(plainChunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });

  it('surfaces a stream cut as an SSE error event the client raises', async () => {
    const batcher = await fake('b-0', { kind: 'cut', afterTokens: 3 });
    const gateway = await gatewayOver([batcher.record]);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model, messages, max_tokens: 8, stream: true });
    const received: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toMatchObject({ code: 'stream_cut', type: 'server_error' });
    expect(received.join('')).not.toBe('');

    batcher.setBehavior({ kind: 'drop', afterTokens: 2 });
    const raw = await post(gateway, '/v1/chat/completions', { model, messages, max_tokens: 8, stream: true });
    const events = await sseEvents(raw);
    expect(events.at(-1)).toMatchObject({ error: { type: 'server_error', code: 'stream_cut' } });
    expect(events).not.toContain('[DONE]');
    expect(await metricValue(gateway, 'gauntlet_gateway_stream_cuts_total')).toBe(2);
  });
});

describe('stream migration', () => {
  it('continues a stream on another batcher when its batcher dies mid-answer: every token once, no error', async () => {
    const dying = await fake('b-0', { kind: 'drop', afterTokens: 3 });
    const healthy = await fake('b-1');
    const gateway = await gatewayOver([dying.record, healthy.record]);
    const messages = [{ role: 'user', content: 'migrate me' }];
    // Both batchers are equally loaded: ask until the dying one was picked first.
    for (let i = 0; i < 4; i++) {
      const raw = await post(gateway, '/v1/chat/completions', {
        model,
        messages,
        max_tokens: 8,
        seed: 4,
        stream: true,
      });
      const events = await sseEvents(raw);
      const text = events
        .flatMap((e) => (typeof e === 'object' && e !== null && 'choices' in e ? [e] : []))
        .map(
          (e) => (e as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? '',
        )
        .join('');
      expect(text).toBe(expectedText(4, 8));
      expect(events.at(-1)).toBe('[DONE]');
    }
    expect(await metricValue(gateway, 'gauntlet_gateway_streams_resumed_total')).toBeGreaterThan(0);
    expect(healthy.requests.some((r) => r.resumeFrom === 3)).toBe(true);
  });
});

describe('gateway validation and auth', () => {
  it('answers OpenAI-style errors for bad requests', async () => {
    const batcher = await fake('b-0');
    const gateway = await gatewayOver([batcher.record], { max_body_bytes: 1024, max_tokens_limit: 100 });
    const expectError = async (response: Response, status: number, error: Record<string, unknown>) => {
      expect(response.status).toBe(status);
      const body = await response.json();
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(body.error).toMatchObject(error);
    };
    const chat = '/v1/chat/completions';
    const messages = [{ role: 'user', content: 'hi' }];
    await expectError(await post(gateway, chat, '{"model":'), 400, {
      type: 'invalid_request_error',
      code: 'invalid_json',
    });
    await expectError(await post(gateway, chat, { model, messages, pad: 'x'.repeat(2000) }), 413, {
      code: 'request_too_large',
    });
    await expectError(await post(gateway, chat, { model, messages, max_tokens: 0 }), 400, {
      param: 'max_tokens',
    });
    await expectError(await post(gateway, chat, { model, messages, max_tokens: 101 }), 400, {
      param: 'max_tokens',
    });
    await expectError(await post(gateway, chat, { model, messages, max_completion_tokens: 2.5 }), 400, {
      param: 'max_completion_tokens',
    });
    await expectError(await post(gateway, '/infer', { prompt: 'x', max_tokens: 1000 }), 400, {
      param: 'max_tokens',
    });
    await expectError(await post(gateway, chat, { model: 'gpt-4o', messages }), 404, {
      code: 'model_not_found',
    });
    await expectError(await post(gateway, chat, { model }), 400, {
      param: 'messages',
      code: 'missing_required_parameter',
    });
    await expectError(
      await post(gateway, chat, { model, messages: [{ role: 'robot', content: 'x' }] }),
      400,
      {
        param: 'messages[0].role',
      },
    );
    await expectError(await post(gateway, '/infer', { prompt: 42 }), 400, { param: 'prompt' });
    await expectError(await post(gateway, '/infer', [1, 2]), 400, { type: 'invalid_request_error' });
    await expectError(
      await post(gateway, chat, { model, messages }, { authorization: 'Bearer wrong-key-123' }),
      401,
      {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    );
    const noKey = await fetch(`${gateway.url}/infer`, { method: 'POST', body: '{"prompt":"x"}' });
    await expectError(noKey, 401, { code: 'invalid_api_key' });
    await expectError(await post(gateway, '/v1/nothing', {}), 404, { code: 'unknown_url' });
    const wrongMethod = await fetch(`${gateway.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    await expectError(wrongMethod, 405, { code: 'method_not_allowed' });
    expect(batcher.requests).toHaveLength(0);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('gauntlet_gateway_requests_total{route="/v1/chat/completions",code="400"}');
  });

  it('rejects the OpenAI client with a wrong key as an AuthenticationError', async () => {
    const gateway = await gatewayOver([]);
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    await expect(client.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});

describe('gateway routing to batchers', () => {
  it('passes 429 through with Retry-After and does not retry it', async () => {
    const full = await fake('b-full', { kind: 'status', status: 429, code: 'queue_full', retryAfterS: 2 });
    const gateway = await gatewayOver([full.record]);
    const response = await post(gateway, '/infer', { prompt: 'x' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('x-gauntlet-batcher-id')).toBe('b-full');
    expect((await response.json()).error).toMatchObject({ type: 'rate_limit_error', code: 'queue_full' });
    expect(await metricValue(gateway, 'gauntlet_gateway_retries_total')).toBe(0);
  });

  it('retries on another batcher when one refuses connections, once per batcher', async () => {
    const alive = await fake('b-alive');
    const dead: BatcherRecord = { id: 'b-dead', url: await refusedUrl(), state: 'ready', startedAt: 0 };
    const gateway = await gatewayOver([dead, alive.record], { batcher_eject_after_failures: 100 });
    for (let i = 0; i < 4; i++) {
      const response = await post(gateway, '/infer', { prompt: `p${i}` });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-gauntlet-batcher-id')).toBe('b-alive');
    }
    expect(alive.requests).toHaveLength(4);
    // Ties alternate, so the dead batcher came first for half of the requests.
    expect(await metricValue(gateway, 'gauntlet_gateway_retries_total')).toBe(2);

    const onlyDead = await gatewayOver([dead]);
    const failed = await post(onlyDead, '/infer', { prompt: 'x' });
    expect(failed.status).toBe(502);
    expect((await failed.json()).error).toMatchObject({ type: 'server_error', code: 'batcher_unreachable' });
  });

  it('ejects a batcher after consecutive failures and routes around it', async () => {
    const sick = await fake('b-sick', { kind: 'status', status: 503, code: 'no_workers' });
    const healthy = await fake('b-healthy');
    const gateway = await gatewayOver([sick.record, healthy.record], {
      batcher_eject_after_failures: 2,
      batcher_eject_ms: 60_000,
    });
    for (let i = 0; i < 8; i++) expect((await post(gateway, '/infer', { prompt: `p${i}` })).status).toBe(200);
    expect(sick.requests).toHaveLength(2);
    expect(healthy.requests).toHaveLength(8);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('gauntlet_gateway_batcher_ejections_total{batcher="b-sick"} 1');
    expect(metrics).toContain('gauntlet_gateway_routable_batchers 1');

    const alone = await gatewayOver([sick.record], { batcher_eject_after_failures: 5 });
    const failed = await post(alone, '/infer', { prompt: 'x' });
    expect(failed.status).toBe(503);
    expect((await failed.json()).error).toMatchObject({ type: 'server_error', code: 'no_workers' });
  });

  it('answers 504 before the first byte and an SSE timeout error after it, aborting the upstream request', async () => {
    const stuck = await fake('b-stuck', { kind: 'hang' });
    const gateway = await gatewayOver([stuck.record], { request_timeout_ms: 200 });
    const response = await post(gateway, '/infer', { prompt: 'x' });
    expect(response.status).toBe(504);
    expect((await response.json()).error).toMatchObject({ type: 'server_error', code: 'timeout' });
    await expect.poll(() => stuck.abandoned, { timeout: 2_000 }).toBe(1);

    stuck.setBehavior({ kind: 'ok', lineDelayMs: 60 });
    const streamed = await post(gateway, '/v1/completions', {
      model,
      prompt: 'x',
      max_tokens: 50,
      stream: true,
    });
    expect(streamed.status).toBe(200);
    const events = await sseEvents(streamed);
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ error: { type: 'server_error', code: 'timeout' } });
    await expect.poll(() => stuck.abandoned, { timeout: 2_000 }).toBe(2);
  });

  it('aborts the upstream stream when the client goes away', async () => {
    const slow = await fake('b-slow', { kind: 'ok', lineDelayMs: 50 });
    const gateway = await gatewayOver([slow.record]);
    const response = await post(gateway, '/v1/completions', {
      model,
      prompt: 'x',
      max_tokens: 100,
      stream: true,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    await reader?.cancel();
    await expect.poll(() => slow.abandoned, { timeout: 2_000 }).toBe(1);
    await expect
      .poll(() => metricValue(gateway, 'gauntlet_gateway_inflight_requests'), { timeout: 2_000 })
      .toBe(0);
  });

  it('drains: new requests get 503, in-flight ones finish, then the server closes', async () => {
    const slow = await fake('b-slow', { kind: 'ok', lineDelayMs: 20 });
    const gateway = await gatewayOver([slow.record]);
    const inFlight = post(gateway, '/v1/completions', { model, prompt: 'x', max_tokens: 10, stream: true });
    await expect.poll(() => slow.requests.length).toBe(1);
    const drained = gateway.drain(5_000);
    const refused = await post(gateway, '/infer', { prompt: 'late' });
    expect(refused.status).toBe(503);
    expect((await refused.json()).error).toMatchObject({ type: 'server_error', code: 'draining' });
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
    const events = await sseEvents(await inFlight);
    expect(events.at(-1)).toBe('[DONE]');
    await drained;
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
  });
});
