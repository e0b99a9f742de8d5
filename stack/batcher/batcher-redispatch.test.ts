import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { headers } from '../protocol/headers.js';
import { tokenStream } from '../protocol/tokens.js';
import { type BatcherTestBed, startTestBed, waitFor } from '../testing/batcher-test-bed.js';
import type { FakeWorkerBehavior } from '../testing/fake-worker.js';
import { refusingUrl } from '../testing/fake-worker.js';
import { submitRequest, submitTo } from '../testing/submit-client.js';

let bed: BatcherTestBed | undefined;
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

async function metricsText(url: string): Promise<string> {
  const response = await request(`${url}/metrics`);
  return response.body.text();
}

const deadRecord = async (id: string) => ({
  id,
  node: 'test-node',
  gpuIndex: 0,
  url: await refusingUrl(),
  maxRunningSeqs: 256,
  state: 'ready' as const,
  startedAt: 1,
});

describe('re-dispatch before the first token', () => {
  it('moves a request off a worker that refuses connections, and ejects that worker', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-b' }],
      extraRecords: [await deadRecord('w-a')],
    });
    const { batcher, logs } = bed;
    const answer = await submitTo(batcher.url, submitRequest());
    expect(answer.status).toBe(200);
    expect(answer.headers[headers.workerId]).toBe('w-b');
    expect(answer.headers[headers.attempts]).toBe('2');
    const status = batcher.status();
    expect(status.ejected).toEqual([expect.objectContaining({ id: 'w-a' })]);
    expect(status.ejected[0]?.cause).toContain('ECONNREFUSED');
    expect(logs.some((line) => line.startsWith('worker w-a ejected'))).toBe(true);
    const metrics = await metricsText(batcher.url);
    expect(metrics).toContain('gauntlet_batcher_worker_ejections_total{worker="w-a"} 1');
    expect(metrics).toContain('gauntlet_batcher_redispatches_total 1');
  });

  it('ejects a worker whose GPU fails every sequence (out of memory), and moves the request', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', behavior: { kind: 'err', code: 'gpu_oom' } }, { id: 'w-b' }],
    });
    const { batcher } = bed;
    const answers = await Promise.all(
      [1, 2, 3].map((i) => submitTo(batcher.url, submitRequest({ id: `oom-${i}` }))),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.every((a) => a.headers[headers.workerId] === 'w-b')).toBe(true);
    expect(batcher.status().ejected).toEqual([expect.objectContaining({ id: 'w-a' })]);
    expect(batcher.status().ejected[0]?.cause).toContain('gpu_oom');
  });

  const failures: Array<[string, FakeWorkerBehavior]> = [
    ['closes the connection before the first token', { kind: 'close-before-first-token' }],
    ['answers HTTP 503', { kind: 'status', status: 503 }],
    ['answers err worker_busy', { kind: 'err', code: 'worker_busy' }],
    ['ends the stream without done', { kind: 'end-without-done' }],
  ];
  it.each(failures)('retries on another worker when the first one %s', async (_name, behavior) => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', behavior }, { id: 'w-b' }],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest({ stream: false }));
    expect(answer.status).toBe(200);
    expect(answer.headers[headers.workerId]).toBe('w-b');
    expect(answer.headers[headers.attempts]).toBe('2');
    expect(bed.workers[0]?.batches).toHaveLength(1);
  });

  it('answers 502 worker_failed naming the cause when re-dispatch is disabled', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0, redispatch: { enabled: false, max_attempts: 3 } },
      workers: [{ id: 'w-b' }],
      extraRecords: [await deadRecord('w-a')],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest());
    expect(answer.status).toBe(502);
    expect(answer.error?.code).toBe('worker_failed');
    expect(answer.error?.message).toMatch(/worker w-a failed: .*ECONNREFUSED/);
    expect(bed.workers[0]?.batches).toHaveLength(0);
  });

  it('gives up with 502 after max_attempts', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0, redispatch: { enabled: true, max_attempts: 2 } },
      workers: [
        { id: 'w-a', behavior: { kind: 'err', code: 'gpu_oom' } },
        { id: 'w-b', behavior: { kind: 'err', code: 'gpu_oom' } },
        { id: 'w-c', behavior: { kind: 'err', code: 'gpu_oom' } },
      ],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest());
    expect(answer.status).toBe(502);
    expect(answer.error?.message).toContain('gpu_oom');
    expect(answer.error?.message).toContain('attempt 2 of 2');
    expect(bed.workers.map((w) => w.batches.length)).toEqual([1, 1, 0]);
  });

  it('re-dispatches after the first-token timeout and ejects the silent worker', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0, first_token_timeout_ms: 150 },
      workers: [{ id: 'w-a', behavior: { kind: 'hang' } }, { id: 'w-b' }],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest());
    expect(answer.status).toBe(200);
    expect(answer.headers[headers.workerId]).toBe('w-b');
    expect(answer.headers[headers.attempts]).toBe('2');
    expect(Number(answer.headers[headers.queueMs])).toBeGreaterThanOrEqual(140);
    const ejected = bed.batcher.status().ejected;
    expect(ejected.map((e) => e.id)).toEqual(['w-a']);
    expect(ejected[0]?.cause).toContain('no first token within 150 ms');
    await waitFor('hung batch aborted', () => bed?.workers[0]?.abortedBatches() === 1);
  });
});

describe('after the first token', () => {
  it('migrates a stream whose worker dies mid-answer: the client gets every token, exactly once', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', behavior: { kind: 'cut-after', steps: 2 }, stepMs: 5 }, { id: 'w-b' }],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest({ maxTokens: 10, seed: 9 }));
    expect(answer.status).toBe(200);
    expect(answer.headers[headers.workerId]).toBe('w-a');
    const tokens = answer.events.flatMap((e) => (e.t === 'tok' ? e.k : []));
    const next = tokenStream(9);
    expect(tokens).toEqual(Array.from({ length: 10 }, () => next()));
    expect(answer.events.at(-1)).toMatchObject({ t: 'done', completionTokens: 10 });
    expect(bed.workers[1]?.batches[0]?.items[0]).toMatchObject({ resumeFrom: 2 });
    const metrics = await metricsText(bed.batcher.url);
    expect(metrics).toContain('gauntlet_batcher_streams_resumed_total 1');
  });

  it('ends the stream with stream_cut when the worker dies mid-stream and migration is off', async () => {
    bed = await startTestBed({
      config: {
        max_batch_delay_ms: 0,
        redispatch: { enabled: true, max_attempts: 3, resume_streams: false },
      },
      workers: [{ id: 'w-a', behavior: { kind: 'cut-after', steps: 2 }, stepMs: 5 }, { id: 'w-b' }],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest({ maxTokens: 10 }));
    expect(answer.status).toBe(200);
    expect(answer.headers[headers.workerId]).toBe('w-a');
    const tokens = answer.events.flatMap((e) => (e.t === 'tok' ? e.k : []));
    expect(tokens).toHaveLength(2);
    const last = answer.events.at(-1);
    expect(last).toMatchObject({ t: 'err', code: 'stream_cut' });
    expect(last?.t === 'err' && last.message).toContain('after 2 token(s)');
    expect(bed.workers[1]?.batches).toHaveLength(0);
    const metrics = await metricsText(bed.batcher.url);
    expect(metrics).toContain('gauntlet_batcher_requests_total{outcome="stream_cut"} 1');
  });

  it('re-dispatches a non-stream request cut mid-generation: the client had nothing yet', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a', behavior: { kind: 'cut-after', steps: 2 }, stepMs: 5 }, { id: 'w-b' }],
    });
    const answer = await submitTo(bed.batcher.url, submitRequest({ maxTokens: 6, seed: 5, stream: false }));
    expect(answer.status).toBe(200);
    expect(answer.headers[headers.workerId]).toBe('w-b');
    expect(answer.headers[headers.attempts]).toBe('2');
    expect(answer.events).toHaveLength(1);
    const done = answer.events[0];
    expect(done?.t === 'done' && done.k).toHaveLength(6);
    expect(done).toMatchObject({ completionTokens: 6 });
  });
});

describe('ejection', () => {
  it('sends an ejected worker no batch until its eject time passes or its record changes', async () => {
    bed = await startTestBed({
      config: { max_batch_size: 4, max_batch_delay_ms: 0, worker_eject_ms: 400 },
      workers: [{ id: 'w-a', behavior: { kind: 'close-before-first-token' } }, { id: 'w-b' }],
    });
    const { batcher, workers, source } = bed;
    const [a, b] = workers;
    if (!a || !b) throw new Error('two workers expected');
    const first = await submitTo(batcher.url, submitRequest());
    expect(first.headers[headers.workerId]).toBe('w-b');
    a.behavior = { kind: 'normal' };
    // Idle w-a would win every tie by id; while ejected it must get nothing.
    for (let i = 0; i < 3; i++) {
      const answer = await submitTo(batcher.url, submitRequest());
      expect(answer.headers[headers.workerId]).toBe('w-b');
    }
    expect(a.batches).toHaveLength(1);
    expect(batcher.status().workers.find((w) => w.id === 'w-a')).toMatchObject({
      ejected: true,
      live: false,
    });

    await waitFor('eject time over', () => batcher.status().ejected.length === 0, 1_000);
    const back = await submitTo(batcher.url, submitRequest());
    expect(back.headers[headers.workerId]).toBe('w-a');

    // Ejected again; a new registration (new startedAt) brings it back at once.
    a.behavior = { kind: 'close-before-first-token' };
    await submitTo(batcher.url, submitRequest());
    expect(batcher.status().ejected.map((e) => e.id)).toEqual(['w-a']);
    a.behavior = { kind: 'normal' };
    source.set([a.record({ startedAt: Date.now() + 1 }), b.record()]);
    expect(batcher.status().ejected).toEqual([]);
    const reborn = await submitTo(batcher.url, submitRequest());
    expect(reborn.headers[headers.workerId]).toBe('w-a');
  });

  it('ejects only after worker_eject_after_failures consecutive failures', async () => {
    bed = await startTestBed({
      config: {
        max_batch_delay_ms: 0,
        worker_eject_after_failures: 2,
        redispatch: { enabled: false, max_attempts: 1 },
      },
      workers: [{ id: 'w-a', behavior: { kind: 'close-before-first-token' } }],
    });
    const { batcher } = bed;
    expect((await submitTo(batcher.url, submitRequest())).status).toBe(502);
    expect(batcher.status().ejected).toEqual([]);
    expect((await submitTo(batcher.url, submitRequest())).status).toBe(502);
    expect(batcher.status().ejected.map((e) => e.id)).toEqual(['w-a']);
  });
});
