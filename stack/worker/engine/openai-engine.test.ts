import { afterEach, describe, expect, it } from 'vitest';
import type { EngineConfig } from '../../../core/config/cluster-config.js';
import type { BatchItem, WorkerEvent } from '../../protocol/worker-api.js';
import { type StandInEngine, standInToken, startStandInEngine } from '../../testing/stand-in-engine.js';
import { startWorkerServer, type WorkerServer } from '../worker-server.js';

const adminToken = 'engine-test-token';
const model = 'glm-4-9b-chat';
const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((thing) => thing.close()));
});

async function engineAndWorker(
  engineOptions: Parameters<typeof startStandInEngine>[0] = {},
  engine: Partial<Extract<EngineConfig, { kind: 'openai' }>> = {},
  env: NodeJS.ProcessEnv = {},
): Promise<{ stand: StandInEngine; worker: WorkerServer }> {
  const stand = await startStandInEngine({ model, ...engineOptions });
  open.push(stand);
  const worker = await startWorkerServer({
    id: 'w-engine',
    adminToken,
    worker: { engine: { kind: 'openai', url: stand.url, model, ...engine } },
    env,
  });
  open.push(worker);
  return { stand, worker };
}

interface Timed {
  atMs: number;
  event: WorkerEvent;
}

/** Posts a batch and collects its events with their arrival times (ms since the post). */
async function batch(worker: WorkerServer, items: BatchItem[], batchId = 'b1'): Promise<Timed[]> {
  const started = performance.now();
  const res = await fetch(`${worker.url}/v1/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ batchId, items }),
  });
  expect(res.status).toBe(200);
  const events: Timed[] = [];
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      events.push({
        atMs: performance.now() - started,
        event: JSON.parse(rest.slice(0, newline)) as WorkerEvent,
      });
      rest = rest.slice(newline + 1);
      newline = rest.indexOf('\n');
    }
  }
  return events;
}

const item = (id: string, fields: Partial<BatchItem> = {}): BatchItem => ({
  id,
  promptTokens: 12,
  maxTokens: 6,
  seed: 5,
  prompt: 'tell me about GPUs',
  ...fields,
});

/** The tokens one sequence received, as [position, text]. */
function tokensOf(events: Timed[], id: string): Array<[number, string]> {
  return events.flatMap(({ event }) =>
    event.t === 'step'
      ? event.tokens
          .filter((pair) => pair[0] === id)
          .map((pair): [number, string] => [pair[1], pair[2] ?? ''])
      : [],
  );
}

const postFaults = (worker: WorkerServer, faults: Record<string, unknown>, method = 'POST') =>
  fetch(`${worker.url}/admin/faults`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify(faults) } : {}),
  });

describe('the worker in front of an OpenAI-compatible engine', () => {
  it('streams each item through the engine with its text, and finishes with the engine usage', async () => {
    const { stand, worker } = await engineAndWorker();
    await worker.engineServing();
    const chat = item('r-chat', {
      seed: 9,
      maxTokens: 4,
      prompt: undefined,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const events = await batch(worker, [item('r-text'), chat]);

    expect(tokensOf(events, 'r-text')).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, standInToken(5, i)]));
    expect(tokensOf(events, 'r-chat')).toEqual([0, 1, 2, 3].map((i) => [i, standInToken(9, i)]));
    const dones = events.flatMap(({ event }) => (event.t === 'done' ? [event] : []));
    expect(dones).toEqual(
      expect.arrayContaining([
        { t: 'done', id: 'r-text', promptTokens: 7, completionTokens: 6, finishReason: 'length' },
        { t: 'done', id: 'r-chat', promptTokens: 7, completionTokens: 4, finishReason: 'length' },
      ]),
    );
    const textBody = stand.bodies.find((b) => b.prompt !== undefined);
    expect(textBody).toMatchObject({
      model,
      prompt: 'tell me about GPUs',
      max_tokens: 6,
      seed: 5,
      stream: true,
      ignore_eos: true,
    });
    expect(stand.bodies.find((b) => b.messages !== undefined)).toMatchObject({
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(worker.status()).toMatchObject({ engine: 'openai', running: 0 });
  });

  it('keeps the engine latency: first token and gaps as the engine sent them', async () => {
    const { worker } = await engineAndWorker({ firstTokenMs: 80, tokenGapMs: 40 });
    const events = await batch(worker, [item('r1', { maxTokens: 5 })]);
    const steps = events.filter(({ event }) => event.t === 'step').map(({ atMs }) => atMs);
    expect(steps).toHaveLength(5);
    expect(steps[0]).toBeGreaterThanOrEqual(79);
    // The adapter adds no pacing of its own: the 4 gaps take the engine's 160 ms, give or take the loop.
    expect((steps[4] ?? 0) - (steps[0] ?? 0)).toBeGreaterThanOrEqual(150);
    expect((steps[4] ?? 0) - (steps[0] ?? 0)).toBeLessThan(400);
  });

  it('continues a migrated stream after the tokens already delivered, with the same words', async () => {
    const { stand, worker } = await engineAndWorker();
    const events = await batch(worker, [item('r-moved', { maxTokens: 6, resumeFrom: 4 })]);
    expect(tokensOf(events, 'r-moved')).toEqual([
      [4, standInToken(5, 4)],
      [5, standInToken(5, 5)],
    ]);
    // The engine is asked for the whole answer again with the same seed; the first 4 tokens are not sent twice.
    expect(stand.bodies[0]).toMatchObject({ max_tokens: 6, seed: 5 });
  });

  it('refuses an item without prompt text, and maps engine refusals to worker errors', async () => {
    const { stand, worker } = await engineAndWorker();
    const noText = await batch(worker, [item('r-blind', { prompt: undefined })]);
    expect(noText.map(({ event }) => event)).toEqual([
      expect.objectContaining({
        t: 'err',
        id: 'r-blind',
        code: 'bad_request',
        message: expect.stringContaining('no prompt text'),
      }),
    ]);
    stand.setRefusal(400);
    const refused = await batch(worker, [item('r-400')]);
    expect(refused[0]?.event).toMatchObject({
      t: 'err',
      code: 'bad_request',
      message: expect.stringContaining('refused by the stand-in engine'),
    });
    stand.setRefusal(503);
    const busy = await batch(worker, [item('r-503')]);
    expect(busy[0]?.event).toMatchObject({ t: 'err', code: 'worker_busy' });
    stand.setRefusal(500);
    const failed = await batch(worker, [item('r-500')]);
    expect(failed[0]?.event).toMatchObject({ t: 'err', code: 'gpu_error' });
  });

  it('fails with gpu_error when the engine is gone', async () => {
    const { stand, worker } = await engineAndWorker();
    await stand.close();
    const events = await batch(worker, [item('r-gone')]);
    expect(events[0]?.event).toMatchObject({
      t: 'err',
      code: 'gpu_error',
      message: expect.stringContaining('engine connection failed'),
    });
  });

  it('applies the GPU faults to what it forwards: slowdown, hang, oom, errorRate', async () => {
    const { worker } = await engineAndWorker({ firstTokenMs: 20, tokenGapMs: 20 });
    expect((await postFaults(worker, { slowdown: 4 })).status).toBe(200);
    const slow = await batch(worker, [item('r-slow', { maxTokens: 6 })]);
    const slowSteps = slow.filter(({ event }) => event.t === 'step').map(({ atMs }) => atMs);
    // 20 ms + 5 x 20 ms at the engine, stretched 4x: about 480 ms to the last token (>= 2x in any case).
    expect(slowSteps.at(-1)).toBeGreaterThan(240);
    await postFaults(worker, {}, 'DELETE');

    await postFaults(worker, { hang: true });
    const hung = batch(worker, [item('r-hang', { maxTokens: 3 })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await postFaults(worker, { hang: false });
    const hungEvents = await hung;
    expect(tokensOf(hungEvents, 'r-hang')).toHaveLength(3);
    // Nothing went out while the GPU hung (300 ms), although the engine had produced everything by 60 ms.
    expect(hungEvents[0]?.atMs).toBeGreaterThanOrEqual(290);

    await postFaults(worker, { oom: true });
    const oom = await batch(worker, [item('r-oom')]);
    expect(oom[0]?.event).toMatchObject({ t: 'err', code: 'gpu_oom' });
    await postFaults(worker, {}, 'DELETE');

    await postFaults(worker, { errorRate: 1 });
    const broken = await batch(worker, [item('r-err')]);
    expect(broken.map(({ event }) => event.t)).toEqual(['err']);
    expect(broken[0]?.event).toMatchObject({ code: 'gpu_error' });
  });

  it('cancels a sequence whose client went away, and closes its engine stream', async () => {
    const { stand, worker } = await engineAndWorker({ firstTokenMs: 10, tokenGapMs: 50 });
    const running = batch(
      worker,
      [item('r-stay', { maxTokens: 4 }), item('r-go', { maxTokens: 40 })],
      'b-cancel',
    );
    await new Promise((resolve) => setTimeout(resolve, 120));
    const cancel = await fetch(`${worker.url}/v1/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ batchId: 'b-cancel', ids: ['r-go'] }),
    });
    expect(await cancel.json()).toEqual({ cancelled: 1 });
    const events = await running;
    expect(events.map(({ event }) => event)).toContainEqual(
      expect.objectContaining({ t: 'err', id: 'r-go', code: 'cancelled' }),
    );
    expect(events.map(({ event }) => event)).toContainEqual(
      expect.objectContaining({ t: 'done', id: 'r-stay' }),
    );
    await expect.poll(() => stand.open).toBe(0);
  });

  it('waits for the engine to serve the model, and names the models it does serve when they differ', async () => {
    const { worker } = await engineAndWorker({ model: 'other-model' }, { startup_timeout_s: 5 });
    await expect(worker.engineServing()).rejects.toThrow(/serves 'other-model', not 'glm-4-9b-chat'/);
  });

  it('sends the API key named by api_key_env, and refuses to start when that variable is unset', async () => {
    const { stand, worker } = await engineAndWorker(
      { apiKey: 'sk-engine' },
      { api_key_env: 'ENGINE_KEY' },
      { ENGINE_KEY: 'sk-engine' },
    );
    await worker.engineServing();
    expect(tokensOf(await batch(worker, [item('r-key', { maxTokens: 2 })]), 'r-key')).toHaveLength(2);
    await expect(
      startWorkerServer({
        id: 'w-nokey',
        adminToken,
        worker: { engine: { kind: 'openai', url: stand.url, model, api_key_env: 'ENGINE_KEY' } },
        env: {},
      }),
    ).rejects.toThrow(/api_key_env names ENGINE_KEY, which is not set/);
  });
});
