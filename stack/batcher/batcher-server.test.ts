import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { headers } from '../protocol/headers.js';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import { tokenStream } from '../protocol/tokens.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import { type BatcherTestBed, startTestBed, waitFor } from '../testing/batcher-test-bed.js';
import { submitRequest, submitTo } from '../testing/submit-client.js';
import { startBatcherServer } from './batcher-server.js';

let bed: BatcherTestBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

function expectedTokens(seed: number, count: number): number[] {
  const next = tokenStream(seed);
  return Array.from({ length: count }, () => next());
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await request(url);
  return { status: response.statusCode, text: await response.body.text() };
}

describe('batch formation', () => {
  it('fills batches up to max_batch_size and sends the rest when slots free up', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 4, max_batch_delay_ms: 50 },
      workers: [{ id: 'w-a', stepMs: 10 }],
    });
    const { batcher, workers } = bed;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => submitTo(batcher.url, submitRequest({ maxTokens: 3 }))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(workers[0]?.batches.map((b) => b.items.length)).toEqual([4, 4, 2]);
    const sizes = answers.map((a) => a.headers[headers.batchSize]).sort();
    expect(sizes).toEqual(['2', '2', '4', '4', '4', '4', '4', '4', '4', '4']);
  });

  it('sends a partial batch once the oldest request has waited max_batch_delay_ms', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 8, max_batch_delay_ms: 80 },
      workers: [{ id: 'w-a', stepMs: 5 }],
    });
    const { batcher, workers } = bed;
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => submitTo(batcher.url, submitRequest({ maxTokens: 2 }))),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    expect(workers[0]?.batches.map((b) => b.items.length)).toEqual([3]);
    for (const answer of answers) {
      expect(answer.headers[headers.batchSize]).toBe('3');
      expect(Number(answer.headers[headers.queueMs])).toBeGreaterThanOrEqual(70);
    }
  });

  it('never puts two requests with the same id in one batch (the worker keys tokens by id)', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 4, max_batch_delay_ms: 20 },
      workers: [{ id: 'w-a', stepMs: 5 }],
    });
    const { batcher, workers } = bed;
    const answers = await Promise.all([
      submitTo(batcher.url, submitRequest({ id: 'same', seed: 1 })),
      submitTo(batcher.url, submitRequest({ id: 'same', seed: 2 })),
      submitTo(batcher.url, submitRequest({ id: 'other' })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const batches = workers[0]?.batches.map((b) => b.items.map((item) => item.id)) ?? [];
    expect(batches.flat().sort()).toEqual(['other', 'same', 'same']);
    for (const ids of batches) expect(new Set(ids).size).toBe(ids.length);
  });

  it('dispatches each request to the least-loaded worker', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 4, max_batch_delay_ms: 0 },
      workers: [
        { id: 'w-a', stepMs: 20 },
        { id: 'w-b', stepMs: 20 },
      ],
    });
    const { batcher } = bed;
    const pending = [];
    for (let i = 0; i < 4; i++) {
      pending.push(submitTo(batcher.url, submitRequest({ maxTokens: 12 })));
      await waitFor(`request ${i} dispatched`, () => batcher.status().inFlightSequences === i + 1);
    }
    const answers = await Promise.all(pending);
    expect(answers.map((a) => a.headers[headers.workerId])).toEqual(['w-a', 'w-b', 'w-a', 'w-b']);
  });
});

describe('admission', () => {
  it('answers 429 queue_full with Retry-After when the queue is full', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 1, max_queue: 2, max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', stepMs: 10 }],
    });
    const { batcher } = bed;
    const first = submitTo(batcher.url, submitRequest({ maxTokens: 10 }));
    await waitFor('first in flight', () => batcher.status().inFlightSequences === 1);
    const queued = [
      submitTo(batcher.url, submitRequest({ maxTokens: 2 })),
      submitTo(batcher.url, submitRequest({ maxTokens: 2 })),
    ];
    await waitFor('two queued', () => batcher.status().queueDepth === 2);
    const rejected = await submitTo(batcher.url, submitRequest());
    expect(rejected.status).toBe(429);
    expect(rejected.error?.code).toBe('queue_full');
    expect(Number(rejected.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const rest = await Promise.all([first, ...queued]);
    expect(rest.map((a) => a.status)).toEqual([200, 200, 200]);
    const metrics = await get(`${batcher.url}/metrics`);
    expect(metrics.text).toContain('gauntlet_batcher_rejected_total{reason="queue_full"} 1');
  });

  it('answers 503 no_workers once no worker has been live for the grace time', async () => {
    bed = await startTestBed({ noWorkersGraceMs: 60 });
    const { batcher } = bed;
    const waiting = await submitTo(batcher.url, submitRequest());
    expect(waiting.status).toBe(503);
    expect(waiting.error?.code).toBe('no_workers');
    const started = performance.now();
    const refused = await submitTo(batcher.url, submitRequest());
    expect(refused.error?.code).toBe('no_workers');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('routes no new batch to a worker whose record says draining', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a' }, { id: 'w-b' }],
    });
    const { batcher, workers, source } = bed;
    const [a, b] = workers;
    if (!a || !b) throw new Error('two workers expected');
    source.set([a.record({ state: 'draining' }), b.record()]);
    for (let i = 0; i < 3; i++) {
      const answer = await submitTo(batcher.url, submitRequest());
      expect(answer.headers[headers.workerId]).toBe('w-b');
    }
    expect(a.batches).toHaveLength(0);
  });

  it('rejects an invalid submit with 400 bad_request', async () => {
    bed = await startTestBed({ workers: [{ id: 'w-a' }] });
    const response = await request(`${bed.batcher.url}/v1/submit`, {
      method: 'POST',
      body: JSON.stringify({ id: 'x', promptTokens: 1, maxTokens: 0, seed: 1, stream: true }),
    });
    expect(response.statusCode).toBe(400);
    const body = (await response.body.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.message).toContain('maxTokens');
  });
});

describe('answers', () => {
  it('streams tok lines then done, with the evidence headers', async () => {
    bed = await startTestBed({ config: { max_batch_delay_ms: 0 }, workers: [{ id: 'w-a', stepMs: 5 }] });
    const body = submitRequest({ maxTokens: 6, seed: 1234, stream: true });
    const answer = await submitTo(bed.batcher.url, body);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/x-ndjson');
    expect(answer.headers[headers.requestId]).toBe(body.id);
    expect(answer.headers[headers.workerId]).toBe('w-a');
    expect(answer.headers[headers.batcherId]).toBe('b-test');
    expect(answer.headers[headers.attempts]).toBe('1');
    expect(answer.headers[headers.batchSize]).toBe('1');
    expect(Number(answer.headers[headers.queueMs])).toBeGreaterThanOrEqual(0);
    const tokens = answer.events.flatMap((e) => (e.t === 'tok' ? e.k : []));
    expect(tokens).toEqual(expectedTokens(1234, 6));
    expect(answer.events.at(-1)).toEqual({
      t: 'done',
      promptTokens: body.promptTokens,
      completionTokens: 6,
      finishReason: 'length',
    });
    expect(answer.events.filter((e) => e.t === 'done')).toHaveLength(1);
  });

  it('answers stream:false with one done line carrying every token', async () => {
    bed = await startTestBed({ config: { max_batch_delay_ms: 0 }, workers: [{ id: 'w-a', stepMs: 5 }] });
    const answer = await submitTo(bed.batcher.url, submitRequest({ maxTokens: 5, seed: 99, stream: false }));
    expect(answer.status).toBe(200);
    expect(answer.events).toHaveLength(1);
    expect(answer.events[0]).toMatchObject({ t: 'done', completionTokens: 5, k: expectedTokens(99, 5) });
  });

  it('stops forwarding a cancelled request: out of the queue, or its lone batch aborted', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 1, max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', stepMs: 10 }],
    });
    const { batcher, workers } = bed;
    const running = new AbortController();
    const queued = new AbortController();
    const first = submitTo(batcher.url, submitRequest({ maxTokens: 100 }), running.signal).catch(
      () => 'aborted',
    );
    await waitFor('first in flight', () => batcher.status().inFlightSequences === 1);
    const second = submitTo(batcher.url, submitRequest(), queued.signal).catch(() => 'aborted');
    await waitFor('second queued', () => batcher.status().queueDepth === 1);
    queued.abort();
    expect(await second).toBe('aborted');
    await waitFor('queue emptied', () => batcher.status().queueDepth === 0);
    running.abort();
    expect(await first).toBe('aborted');
    await waitFor('slot freed', () => batcher.status().inFlightSequences === 0);
    await waitFor('worker saw the abort', () => workers[0]?.abortedBatches() === 1);
    expect(workers[0]?.batches).toHaveLength(1);
    const metrics = await get(`${batcher.url}/metrics`);
    expect(metrics.text).toContain('gauntlet_batcher_requests_total{outcome="cancelled"} 2');
  });
});

describe('service endpoints and drain', () => {
  it('serves healthz, readyz, metrics and status', async () => {
    bed = await startTestBed({ config: { max_batch_delay_ms: 0 }, workers: [{ id: 'w-a' }] });
    const { batcher } = bed;
    await submitTo(batcher.url, submitRequest());
    expect((await get(`${batcher.url}/healthz`)).status).toBe(200);
    expect((await get(`${batcher.url}/readyz`)).status).toBe(200);
    const metrics = (await get(`${batcher.url}/metrics`)).text;
    for (const name of [
      'gauntlet_batcher_queue_depth',
      'gauntlet_batcher_batch_size_bucket{le="256"}',
      'gauntlet_batcher_queue_wait_seconds',
      'gauntlet_batcher_inflight_sequences',
      'gauntlet_batcher_live_workers 1',
      'gauntlet_batcher_redispatches_total',
      'gauntlet_batcher_requests_total{outcome="ok"} 1',
    ]) {
      expect(metrics).toContain(name);
    }
    const status = JSON.parse((await get(`${batcher.url}/v1/status`)).text) as Record<string, unknown>;
    expect(status).toMatchObject({
      id: 'b-test',
      queueDepth: 0,
      liveWorkers: 1,
      draining: false,
      ejected: [],
    });
    expect(status.workers).toEqual([expect.objectContaining({ id: 'w-a', inFlight: 0, live: true })]);
  });

  it('is not ready until the worker registry has opened', async () => {
    let open: (source: StaticRecordSource<WorkerRecord>) => void = () => {};
    const opening = new Promise<StaticRecordSource<WorkerRecord>>((resolve) => {
      open = resolve;
    });
    const batcher = await startBatcherServer({ id: 'b-late', workers: opening });
    try {
      expect((await get(`${batcher.url}/readyz`)).status).toBe(503);
      expect((await get(`${batcher.url}/healthz`)).status).toBe(200);
      open(new StaticRecordSource<WorkerRecord>([]));
      await waitFor('ready', () => batcher.status().ready);
      expect((await get(`${batcher.url}/readyz`)).status).toBe(200);
    } finally {
      await batcher.close();
    }
  });

  it('drains: refuses new submits, finishes queued and in-flight ones, then resolves', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 2, max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', stepMs: 10 }],
    });
    const { batcher } = bed;
    const admitted = Array.from({ length: 3 }, () => submitTo(batcher.url, submitRequest({ maxTokens: 8 })));
    await waitFor('two in flight, one queued', () => {
      const status = batcher.status();
      return status.inFlightSequences === 2 && status.queueDepth === 1;
    });
    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    expect((await get(`${batcher.url}/readyz`)).status).toBe(503);
    const refused = await submitTo(batcher.url, submitRequest());
    expect(refused.status).toBe(503);
    expect(refused.error?.code).toBe('draining');
    expect(drained).toBe(false);
    const answers = await Promise.all(admitted);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await draining;
    expect(batcher.status()).toMatchObject({ openRequests: 0, queueDepth: 0, draining: true });
  });
});
