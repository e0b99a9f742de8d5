import { afterEach, describe, expect, it } from 'vitest';
import { gatewaySchema } from '../../core/config/cluster-config.js';
import { startBatcherServer } from '../batcher/batcher-server.js';
import { headers } from '../protocol/headers.js';
import type { BatcherRecord, WorkerRecord } from '../protocol/registry-keys.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import { chatStreamText, standInToken, startStandInEngine } from '../testing/stand-in-engine.js';
import { startWorkerServer, type WorkerServer } from '../worker/worker-server.js';
import { startGatewayServer } from './gateway-server.js';

/**
 * The reference gateway and batcher in front of workers that front an OpenAI-compatible engine (the
 * stand-in): the client gets the engine's words, and a stream whose worker dies continues on another
 * worker with the words it had not received yet.
 */

const model = 'glm-4-9b-chat';
const apiKey = 'sk-real-engine-path';
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function stackOverEngine(workerCount: number, tokenGapMs: number) {
  const engine = await startStandInEngine({ model, firstTokenMs: 20, tokenGapMs });
  cleanups.push(() => engine.close());
  const workers: WorkerServer[] = [];
  for (let i = 0; i < workerCount; i++) {
    const worker = await startWorkerServer({
      id: `w${i}`,
      adminToken: 'admin',
      worker: { engine: { kind: 'openai', url: engine.url, model } },
    });
    cleanups.push(() => worker.close());
    workers.push(worker);
  }
  const records: WorkerRecord[] = workers.map((worker, i) => ({
    id: `w${i}`,
    node: 'node-a',
    gpuIndex: i,
    url: worker.url,
    maxRunningSeqs: 256,
    state: 'ready',
    startedAt: Date.now(),
  }));
  const workerSource = new StaticRecordSource(records);
  const batcher = await startBatcherServer({
    id: 'b0',
    workers: workerSource,
    config: { max_batch_delay_ms: 1 },
  });
  cleanups.push(() => batcher.close());
  const batcherRecord: BatcherRecord = { id: 'b0', url: batcher.url, state: 'ready', startedAt: Date.now() };
  const gateway = await startGatewayServer({
    gateway: gatewaySchema.parse({}),
    modelName: model,
    apiKeys: [apiKey],
    batchers: new StaticRecordSource([batcherRecord]),
    carryPrompt: true,
  });
  cleanups.push(() => gateway.close());
  const post = (path: string, body: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { engine, workers, workerSource, post };
}

const words = (seed: number, count: number, from = 0) =>
  Array.from({ length: count - from }, (_, i) => standInToken(seed, from + i)).join('');

describe('the reference stack in front of a real engine', () => {
  it('answers chat streams and completions with the engine text, and sends the engine the prompt', async () => {
    const { engine, post } = await stackOverEngine(1, 5);
    const chat = await post('/v1/chat/completions', {
      model,
      messages: [{ role: 'user', content: 'How fast is an A100?' }],
      max_tokens: 8,
      seed: 21,
      stream: true,
    });
    expect(chat.status).toBe(200);
    expect(await chatStreamText(chat)).toBe(words(21, 8));
    expect(engine.bodies[0]).toMatchObject({
      messages: [{ role: 'user', content: 'How fast is an A100?' }],
      max_tokens: 8,
    });

    const completion = await post('/v1/completions', {
      model,
      prompt: 'Once upon a time',
      max_tokens: 5,
      seed: 4,
    });
    expect(completion.status).toBe(200);
    const answer = (await completion.json()) as { choices: Array<{ text: string }> };
    expect(answer.choices[0]?.text).toBe(words(4, 5));
    expect(engine.bodies[1]).toMatchObject({ prompt: 'Once upon a time', max_tokens: 5, seed: 4 });
  });

  it('moves a stream whose worker died to another worker, without losing or repeating a word', async () => {
    const { engine, workers, workerSource, post } = await stackOverEngine(2, 25);
    const response = await post('/v1/chat/completions', {
      model,
      messages: [{ role: 'user', content: 'a long answer please' }],
      max_tokens: 30,
      seed: 77,
      stream: true,
    });
    expect(response.status).toBe(200);
    const first = response.headers.get(headers.workerId);
    const dying = workers.find((_, i) => `w${i}` === first);
    expect(dying).toBeDefined();
    const text = chatStreamText(response);
    await new Promise((resolve) => setTimeout(resolve, 250));
    // As the registry would once its lease lapsed: the batcher then sends the rest elsewhere.
    await dying?.close();
    workerSource.set(workerSource.values().filter((record) => record.id !== first));
    expect(await text).toBe(words(77, 30));
    // The second worker asked the engine for the same answer again (same seed) and sent only the rest.
    expect(engine.bodies.map((body) => body.seed)).toEqual([77, 77]);
  });
});
