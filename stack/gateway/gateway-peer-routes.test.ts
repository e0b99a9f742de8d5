import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../core/config/cluster-config.js';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import { type FakeBatcher, startFakeBatcher } from '../testing/fake-batcher.js';
import { type GatewayServer, startGatewayServer } from './gateway-server.js';

/** The routes that vLLM-style peer clients (GuideLLM) probe, and wrong types over HTTP. */

const apiKey = 'test-key-0123456789';
const model = 'glm-4-9b-chat';
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(id: string): Promise<FakeBatcher> {
  const batcher = await startFakeBatcher(id, { kind: 'ok', lineDelayMs: 20 });
  cleanups.push(() => batcher.close());
  return batcher;
}

async function gatewayOver(source: StaticRecordSource<BatcherRecord>): Promise<GatewayServer> {
  const gateway = await startGatewayServer({
    gateway: gatewaySchema.parse({}),
    modelName: model,
    apiKeys: [apiKey],
    batchers: source,
  });
  cleanups.push(() => gateway.close());
  return gateway;
}

const health = async (gateway: GatewayServer, method = 'GET') => {
  const response = await fetch(`${gateway.url}/health`, { method });
  return { status: response.status, body: await response.text() };
};

describe('GET /health as vLLM answers it', () => {
  it('is an empty 200 while a batcher is routable and an empty 503 when none is, without an API key', async () => {
    const batcher = await fake('b-0');
    const source = new StaticRecordSource<BatcherRecord>([batcher.record]);
    const gateway = await gatewayOver(source);
    expect(await health(gateway)).toEqual({ status: 200, body: '' });
    expect(await health(gateway, 'HEAD')).toEqual({ status: 200, body: '' });

    source.set([{ ...batcher.record, state: 'draining' }]);
    expect(await health(gateway)).toEqual({ status: 503, body: '' });
    source.set([]);
    expect(await health(gateway)).toEqual({ status: 503, body: '' });
    source.set([batcher.record]);
    expect(await health(gateway)).toEqual({ status: 200, body: '' });

    const post = await fetch(`${gateway.url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is 503 while the gateway drains', async () => {
    const batcher = await fake('b-0');
    const gateway = await gatewayOver(new StaticRecordSource([batcher.record]));
    const inFlight = fetch(`${gateway.url}/v1/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, prompt: 'x', max_tokens: 10, stream: true }),
    });
    await expect.poll(() => batcher.requests.length).toBe(1);
    const drained = gateway.drain(5_000);
    expect(await health(gateway)).toEqual({ status: 503, body: '' });
    await (await inFlight).text();
    await drained;
  });
});

describe('GET /version and /v1/models', () => {
  it('answers /version with Gauntlet’s package version, as vLLM answers its own', async () => {
    const gateway = await gatewayOver(new StaticRecordSource<BatcherRecord>([]));
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const response = await fetch(`${gateway.url}/version`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ version });
  });

  it('lists the served model on /v1/models with the API key, as vLLM does with --api-key', async () => {
    const gateway = await gatewayOver(new StaticRecordSource<BatcherRecord>([]));
    const listed = await fetch(`${gateway.url}/v1/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(await listed.json()).toMatchObject({ object: 'list', data: [{ id: model, object: 'model' }] });
    expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401);
  });
});

describe('wrongly typed fields over HTTP', () => {
  it.each([
    [
      '/v1/chat/completions',
      { model, messages: [{ role: 'user', content: 'x' }], temperature: 'hot' },
      'temperature',
    ],
    ['/v1/completions', { model, prompt: 'x', stream: 'yes' }, 'stream'],
    ['/infer', { prompt: 'x', seed: 'abc' }, 'seed'],
  ])(
    '%s answers 400 invalid_type naming the field, and sends nothing upstream',
    async (path, body, param) => {
      const batcher = await fake('b-0');
      const gateway = await gatewayOver(new StaticRecordSource([batcher.record]));
      const response = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: Record<string, unknown> };
      expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
      expect(error).toMatchObject({ type: 'invalid_request_error', param, code: 'invalid_type' });
      expect(error.message).toMatch(
        new RegExp(`^Invalid type for '${param}': expected .+, but got a string instead\\.$`),
      );
      expect(batcher.requests).toHaveLength(0);
    },
  );
});
