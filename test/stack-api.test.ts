import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackHandle } from '../core/platform/platform.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

// The documented default stack: 3 etcd members, 1 gateway, 2 batchers, 2 worker nodes x 2 GPUs.
let stack: StackHandle;
let client: OpenAI;

beforeAll(async () => {
  useTempGauntletHome();
  stack = await upLocalStack('');
  client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.apiKey, maxRetries: 0 });
}, 60_000);

afterAll(async () => {
  await stack?.down();
  expect(aliveProcesses()).toEqual([]);
});

describe('the reference stack through the gateway', () => {
  it('runs every component, addressed by role, node and id', async () => {
    expect(stack.components({ role: 'etcd' })).toHaveLength(3);
    expect(stack.components({ role: 'gateway' })).toHaveLength(1);
    expect(stack.components({ role: 'batcher' })).toHaveLength(2);
    expect(stack.components({ role: 'worker' }).map((c) => c.id)).toEqual([
      'node-a-gpu0',
      'node-a-gpu1',
      'node-b-gpu0',
      'node-b-gpu1',
    ]);
    expect(stack.components({ node: 'node-b' })).toHaveLength(2);
    for (const c of stack.components()) {
      expect(await c.state()).toBe('running');
      expect(c.instance?.kind === 'process' && c.instance.pid).toBeGreaterThan(0);
    }
  });

  it('answers the seed /infer with usage and the evidence headers', async () => {
    const response = await fetch(`${stack.gatewayUrl}/infer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Summarise the cluster state in one line.', max_tokens: 12 }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { output: string; usage: Record<string, number> };
    expect(body.usage.completion_tokens).toBe(12);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.total_tokens).toBe((body.usage.prompt_tokens ?? 0) + 12);
    expect(body.output.trim().split(' ')).toHaveLength(12);
    expect(response.headers.get('x-gauntlet-worker-id')).toMatch(/^node-[ab]-gpu[01]$/);
    expect(Number(response.headers.get('x-gauntlet-batch-size'))).toBeGreaterThanOrEqual(1);
    expect(Number(response.headers.get('x-gauntlet-queue-ms'))).toBeGreaterThanOrEqual(0);
  });

  it('streams a chat completion to the official openai client, with usage', async () => {
    const stream = await client.chat.completions.create({
      model: stack.config.model_name,
      messages: [{ role: 'user', content: 'Name three things a batcher does.' }],
      max_tokens: 20,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.trim().split(' ')).toHaveLength(20);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(20);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('answers non-streamed chat and completions with correct usage, deterministically for a seed', async () => {
    const ask = () =>
      client.chat.completions.create({
        model: stack.config.model_name,
        messages: [{ role: 'user', content: 'hello' }],
        max_tokens: 8,
        seed: 7,
      });
    const [a, b] = await Promise.all([ask(), ask()]);
    expect(a.usage?.completion_tokens).toBe(8);
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    const completion = await client.completions.create({
      model: stack.config.model_name,
      prompt: 'abc',
      max_tokens: 5,
    });
    expect(completion.usage?.completion_tokens).toBe(5);
    expect(completion.choices[0]?.text.trim().split(' ')).toHaveLength(5);
  });

  it('lists the model and rejects a wrong key and an unknown model with OpenAI-style errors', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([stack.config.model_name]);
    const wrongKey = new OpenAI({
      baseURL: `${stack.gatewayUrl}/v1`,
      apiKey: 'wrong-key-123',
      maxRetries: 0,
    });
    await expect(wrongKey.models.list()).rejects.toMatchObject({ status: 401 });
    await expect(
      client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('serves Prometheus metrics from every service', async () => {
    const gateway = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(gateway).toMatch(/gauntlet_gateway_requests_total/);
    const batcher = stack.components({ role: 'batcher' })[0];
    expect(await (await fetch(`${batcher?.url}/metrics`)).text()).toMatch(/gauntlet_batcher_queue_depth/);
    const worker = stack.components({ role: 'worker' })[0];
    expect(await (await fetch(`${worker?.url}/metrics`)).text()).toMatch(/gauntlet_worker_running_sequences/);
  });
});
