import { afterEach, describe, expect, it } from 'vitest';
import { latencyModelSchema, type WorkerConfig } from '../../core/config/cluster-config.js';
import { tokenStream } from '../protocol/tokens.js';
import type { BatchItem, BatchRequest, WorkerEvent } from '../protocol/worker-api.js';
import { decodeStepMs, prefillMs } from './latency-model.js';
import { startWorkerServer, type WorkerServer, type WorkerServerOptions } from './worker-server.js';

const adminToken = 'test-admin-token';
const servers: WorkerServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(
  worker: Partial<WorkerConfig> = {},
  extra: Partial<WorkerServerOptions> = {},
): Promise<WorkerServer> {
  const server = await startWorkerServer({ id: 'w-test', node: 'node-a', adminToken, worker, ...extra });
  servers.push(server);
  return server;
}

interface TimedEvent {
  atMs: number;
  event: WorkerEvent;
}

/** A batch on its way: events as they arrive, and the whole outcome once the stream ends. */
interface BatchCall {
  events: TimedEvent[];
  status: Promise<number>;
  done: Promise<TimedEvent[]>;
  abort(): void;
}

function item(id: string, maxTokens: number, promptTokens = 100, seed = 7): BatchItem {
  return { id, promptTokens, maxTokens, seed };
}

function sendBatch(url: string, items: BatchItem[], batchId = 'b1'): BatchCall {
  const controller = new AbortController();
  const events: TimedEvent[] = [];
  const startedAt = performance.now();
  const body: BatchRequest = { batchId, items };
  let resolveStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => {
    resolveStatus = resolve;
  });
  const done = (async () => {
    try {
      const res = await fetch(`${url}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      resolveStatus(res.status);
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        return events;
      }
      expect(res.headers.get('content-type')).toBe('application/x-ndjson');
      const decoder = new TextDecoder();
      let buffered = '';
      const reader = res.body.getReader();
      for (;;) {
        const { done: finished, value } = await reader.read();
        if (finished) break;
        buffered += decoder.decode(value, { stream: true });
        let newline = buffered.indexOf('\n');
        while (newline !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line)
            events.push({ atMs: performance.now() - startedAt, event: JSON.parse(line) as WorkerEvent });
          newline = buffered.indexOf('\n');
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
    return events;
  })();
  return { events, status, done, abort: () => controller.abort() };
}

function tokensOf(events: TimedEvent[]): Map<string, number[]> {
  const tokens = new Map<string, number[]>();
  for (const { event } of events) {
    if (event.t !== 'step') continue;
    for (const [id, token] of event.tokens) {
      const list = tokens.get(id) ?? [];
      list.push(token);
      tokens.set(id, list);
    }
  }
  return tokens;
}

function ofType<T extends WorkerEvent['t']>(
  events: TimedEvent[],
  t: T,
): Array<Extract<WorkerEvent, { t: T }>> {
  return events.map((e) => e.event).filter((e): e is Extract<WorkerEvent, { t: T }> => e.t === t);
}

async function admin(url: string, method: string, body?: unknown, token: string | null = adminToken) {
  const res = await fetch(`${url}/admin/faults`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function statusOf(url: string) {
  const res = await fetch(`${url}/v1/status`);
  return (await res.json()) as { running: number; waiting: number; kvUsedTokens: number; draining: boolean };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 10 ms until true or `timeoutMs` passes. */
async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

const latency = latencyModelSchema.parse({});

describe('worker server', () => {
  it('streams a batch of 3 to done with completionTokens == maxTokens and seed-determined tokens', async () => {
    const server = await start();
    const items = [item('a', 5, 50, 1), item('b', 8, 120, 2), item('c', 3, 10, 3)];
    const events = await sendBatch(server.url, items).done;

    const done = ofType(events, 'done');
    expect(done.map((d) => d.id).sort()).toEqual(['a', 'b', 'c']);
    for (const d of done) {
      const sent = items.find((i) => i.id === d.id);
      expect(d).toMatchObject({ promptTokens: sent?.promptTokens, completionTokens: sent?.maxTokens });
      expect(d.finishReason).toBe('length');
    }
    const tokens = tokensOf(events);
    for (const sent of items) {
      const next = tokenStream(sent.seed);
      expect(tokens.get(sent.id)).toEqual(Array.from({ length: sent.maxTokens }, () => next()));
    }
    // One step line a model step: 1 prefill + 7 decode steps for the longest item.
    expect(ofType(events, 'step')).toHaveLength(8);

    const again = await sendBatch(server.url, items, 'b2').done;
    expect(tokensOf(again)).toEqual(tokens);
  });

  it('continues a migrated sequence from resumeFrom with the same deterministic tokens', async () => {
    const server = await start();
    const events = await sendBatch(server.url, [{ ...item('m', 8, 40, 11), resumeFrom: 3 }]).done;
    const next = tokenStream(11);
    const all = Array.from({ length: 8 }, () => next());
    expect(tokensOf(events).get('m')).toEqual(all.slice(3));
    expect(ofType(events, 'done')[0]).toMatchObject({ promptTokens: 40, completionTokens: 8 });
  });

  it('takes about one prefill plus 9 decode steps for 10 tokens at batch 1', async () => {
    const server = await start();
    await sendBatch(server.url, [item('warm-up', 1)]).done; // first-request costs of the HTTP client
    const events = await sendBatch(server.url, [item('t', 10, 100)]).done;
    const firstToken = events.find((e) => e.event.t === 'step')?.atMs ?? Number.NaN;
    const finished = events.find((e) => e.event.t === 'done')?.atMs ?? Number.NaN;
    const expectedTtft = prefillMs(100, latency);
    let expectedDecode = 0;
    for (let generated = 1; generated < 10; generated++)
      expectedDecode += decodeStepMs(1, 100 + generated, latency);
    expect(firstToken).toBeGreaterThanOrEqual(expectedTtft - 2);
    expect(firstToken).toBeLessThan(expectedTtft + 100);
    expect(finished - firstToken).toBeGreaterThanOrEqual(expectedDecode * 0.95);
    expect(finished - firstToken).toBeLessThan(expectedDecode * 1.3 + 30);
  });

  it('refuses an item with kv_cache_exhausted when its KV would not fit', async () => {
    const server = await start({ kv_cache_tokens: 1000 });
    const events = await sendBatch(server.url, [item('fits', 10, 590), item('too-big', 10, 590)]).done;
    expect(ofType(events, 'done').map((d) => d.id)).toEqual(['fits']);
    expect(ofType(events, 'err')).toEqual([
      {
        t: 'err',
        id: 'too-big',
        code: 'kv_cache_exhausted',
        message: 'KV cache exhausted: need 600 tokens, 400 free of 1000',
      },
    ]);
  });

  it('refuses items beyond max_running_seqs with worker_busy', async () => {
    const server = await start({ max_running_seqs: 2 });
    const events = await sendBatch(server.url, [item('1', 3), item('2', 3), item('3', 3)]).done;
    expect(ofType(events, 'done')).toHaveLength(2);
    expect(ofType(events, 'err')).toMatchObject([{ id: '3', code: 'worker_busy' }]);
  });

  it('answers 400 for a malformed batch, 405 and 404 for wrong routes', async () => {
    const server = await start();
    const bad = await fetch(`${server.url}/v1/batch`, { method: 'POST', body: '{"batchId":"x","items":[]}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('bad_request');
    const notJson = await fetch(`${server.url}/v1/batch`, { method: 'POST', body: 'nope' });
    expect(notJson.status).toBe(400);
    await notJson.body?.cancel();
    const wrongMethod = await fetch(`${server.url}/v1/batch`);
    expect(wrongMethod.status).toBe(405);
    await wrongMethod.body?.cancel();
    const unknown = await fetch(`${server.url}/nope`);
    expect(unknown.status).toBe(404);
    await unknown.body?.cancel();
  });

  it('protects the fault API with the admin token', async () => {
    const server = await start();
    expect((await admin(server.url, 'GET', undefined, null)).status).toBe(401);
    expect((await admin(server.url, 'POST', { hang: true }, 'wrong-token')).status).toBe(401);
    expect(server.faults.active.hang).toBe(false);
    expect((await admin(server.url, 'POST', { slowdown: 0.5 })).status).toBe(400);
    expect((await admin(server.url, 'POST', { errorRate: 2 })).status).toBe(400);
    expect(await admin(server.url, 'POST', { slowdown: 3 })).toEqual({
      status: 200,
      body: { slowdown: 3, errorRate: 0, hang: false, oom: false },
    });
    expect((await admin(server.url, 'POST', { errorRate: 0.5 })).body).toMatchObject({
      slowdown: 3,
      errorRate: 0.5,
    });
    expect((await admin(server.url, 'DELETE')).body).toMatchObject({ slowdown: 1, errorRate: 0 });
  });

  it('slowdown makes a request measurably slower', async () => {
    const server = await start();
    const timeOf = async (id: string) => {
      const events = await sendBatch(server.url, [item(id, 8, 50)]).done;
      return events.find((e) => e.event.t === 'done')?.atMs ?? Number.NaN;
    };
    const normal = await timeOf('n');
    await admin(server.url, 'POST', { slowdown: 4 });
    const slow = await timeOf('s');
    let modelled = prefillMs(50, latency);
    for (let generated = 1; generated < 8; generated++) modelled += decodeStepMs(1, 50 + generated, latency);
    expect(slow).toBeGreaterThanOrEqual(4 * modelled * 0.95);
    expect(slow).toBeGreaterThan(normal * 2);
  });

  it('multiplies step time by worker.slowdown from the config', async () => {
    const server = await start({ slowdown: 3 });
    const events = await sendBatch(server.url, [item('x', 3, 100)]).done;
    const expected = 3 * (prefillMs(100, latency) + 2 * decodeStepMs(1, 101, latency));
    expect(events.at(-1)?.atMs).toBeGreaterThanOrEqual(expected * 0.95);
  });

  it('errorRate 1 fails every sequence with gpu_error', async () => {
    const server = await start();
    await admin(server.url, 'POST', { errorRate: 1 });
    const events = await sendBatch(server.url, [item('e1', 5), item('e2', 5)]).done;
    expect(ofType(events, 'done')).toHaveLength(0);
    expect(ofType(events, 'err').map((e) => [e.id, e.code])).toEqual([
      ['e1', 'gpu_error'],
      ['e2', 'gpu_error'],
    ]);
    expect((await statusOf(server.url)).kvUsedTokens).toBe(0);
  });

  it('hang stops all progress until cleared, then the batch completes', async () => {
    const server = await start();
    const call = sendBatch(server.url, [item('h', 30, 20)]);
    await until(() => call.events.length >= 3);
    await admin(server.url, 'POST', { hang: true });
    const frozenAt = call.events.length;
    await sleep(150);
    expect(call.events.length).toBe(frozenAt);
    expect((await statusOf(server.url)).running).toBe(1);
    await admin(server.url, 'DELETE');
    const events = await call.done;
    expect(ofType(events, 'done')).toMatchObject([{ id: 'h', completionTokens: 30 }]);
  });

  it('oom fails running sequences and every new item until cleared', async () => {
    const server = await start();
    const call = sendBatch(server.url, [item('o', 1000)]);
    await until(() => call.events.length >= 2);
    await admin(server.url, 'POST', { oom: true });
    const events = await call.done;
    const [failure] = ofType(events, 'err');
    expect(failure).toMatchObject({ id: 'o', code: 'gpu_oom' });
    expect(failure?.message).toMatch(/^CUDA out of memory/);

    const refused = await sendBatch(server.url, [item('n', 3)]).done;
    expect(ofType(refused, 'err')).toMatchObject([{ id: 'n', code: 'gpu_oom' }]);
    await admin(server.url, 'DELETE');
    const after = await sendBatch(server.url, [item('n', 3)]).done;
    expect(ofType(after, 'done')).toHaveLength(1);
  });

  it('drain finishes the batches in flight and refuses new work', async () => {
    const server = await start();
    const call = sendBatch(server.url, [item('d', 20)]);
    await until(() => call.events.length >= 1);
    const drained = server.drain();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    const refused = await fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      body: JSON.stringify({ batchId: 'late', items: [item('late', 3)] }),
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { code: string }).code).toBe('draining');
    await drained;
    const events = await call.done;
    expect(ofType(events, 'done')).toMatchObject([{ id: 'd', completionTokens: 20 }]);
    expect((await statusOf(server.url)).draining).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('defect switch: a restarted worker accepts its share of sequences and never answers them', async () => {
    const server = await start({}, { defects: { worker_never_answers_share: 0.5 } });
    // Before the restart is noted the switch does nothing.
    expect(ofType(await sendBatch(server.url, [item('a', 2), item('b', 2)]).done, 'done')).toHaveLength(2);
    server.defects.noteRestart();
    const ids = Array.from({ length: 20 }, (_, i) => `r${i}`);
    const call = sendBatch(
      server.url,
      ids.map((id) => item(id, 3)),
    );
    let ended = false;
    void call.done.then(() => {
      ended = true;
    });
    await until(async () => {
      const status = await statusOf(server.url);
      return status.running === 0 && status.waiting === 0 && ofType(call.events, 'done').length > 0;
    });
    const answered = ofType(call.events, 'done').length;
    expect(answered).toBeGreaterThan(2);
    expect(answered).toBeLessThan(18);
    expect(ofType(call.events, 'err')).toEqual([]);
    // Healthy, the stream ends with its last done line; with sequences swallowed it stays open.
    await sleep(200);
    expect(ended).toBe(false);
    call.abort();
    await call.done;
  });

  it('defect switch: once a GPU fault is cleared the worker stays slower, while its admin API says healthy', async () => {
    const server = await start({}, { defects: { worker_slowdown_after_fault: 4 } });
    const timeOf = async (id: string) => {
      const events = await sendBatch(server.url, [item(id, 8, 50)]).done;
      return events.find((e) => e.event.t === 'done')?.atMs ?? Number.NaN;
    };
    await admin(server.url, 'POST', { oom: true });
    await admin(server.url, 'DELETE');
    expect((await admin(server.url, 'GET')).body).toEqual({
      slowdown: 1,
      errorRate: 0,
      hang: false,
      oom: false,
    });
    const slow = await timeOf('s');
    let modelled = prefillMs(50, latency);
    for (let generated = 1; generated < 8; generated++) modelled += decodeStepMs(1, 50 + generated, latency);
    // Steps never run faster than modelled, so 4x the model is the planted slowdown, whatever the host does.
    expect(slow).toBeGreaterThanOrEqual(4 * modelled * 0.95);
    // The modelled step time (not the host's) shows the factor itself: the largest decode step is 4x.
    const text = await server.registry.metrics();
    const sum = /gauntlet_worker_step_duration_seconds_sum\{phase="decode"\} ([\d.e+-]+)/.exec(text)?.[1];
    expect(Number(sum)).toBeGreaterThanOrEqual((4 * 7 * decodeStepMs(1, 50, latency) * 0.99) / 1000);
  });

  it('drops the sequences of a client that disconnects and frees their KV', async () => {
    const server = await start();
    const call = sendBatch(server.url, [item('gone1', 5000), item('gone2', 5000)]);
    await until(() => call.events.length >= 2);
    expect((await statusOf(server.url)).running).toBe(2);
    call.abort();
    await call.done;
    await until(async () => {
      const status = await statusOf(server.url);
      return status.running === 0 && status.kvUsedTokens === 0;
    });
  });

  it('reports readiness, status and metrics', async () => {
    const server = await start({}, { startReady: false });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    server.setReady(true);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await sendBatch(server.url, [item('m', 4, 30)]).done;
    await sendBatch(server.url, [item('m2', 1), item('m3', 1)]).done;
    await admin(server.url, 'POST', { slowdown: 2 });

    const status = await (await fetch(`${server.url}/v1/status`)).json();
    expect(status).toEqual({
      id: 'w-test',
      node: 'node-a',
      engine: 'sim',
      running: 0,
      waiting: 0,
      kvUsedTokens: 0,
      kvCapacityTokens: 1_300_000,
      faults: { slowdown: 2, errorRate: 0, hang: false, oom: false },
      draining: false,
    });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('gauntlet_worker_generated_tokens_total 6');
    expect(metrics).toContain('gauntlet_worker_prompt_tokens_total 230');
    expect(metrics).toContain('gauntlet_worker_batches_total 2');
    expect(metrics).toContain('gauntlet_worker_running_sequences 0');
    expect(metrics).toContain('gauntlet_worker_kv_cache_usage_ratio 0');
    expect(metrics).toContain('gauntlet_worker_fault_active{fault="slowdown"} 1');
    expect(metrics).toContain('gauntlet_worker_fault_active{fault="hang"} 0');
    expect(metrics).toMatch(/gauntlet_worker_step_duration_seconds_count\{phase="prefill"\} 2/);
    expect(metrics).toMatch(/gauntlet_worker_step_duration_seconds_count\{phase="decode"\} 3/);
  });

  it('counts rejections by code', async () => {
    const server = await start({ max_running_seqs: 1 });
    await sendBatch(server.url, [item('r1', 2), item('r2', 2)]).done;
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('gauntlet_worker_rejected_total{code="worker_busy"} 1');
  });

  it('crash answers 202 and then runs the crash action', async () => {
    let crashed = false;
    const server = await start({}, { onCrash: () => (crashed = true) });
    const res = await admin(server.url, 'POST', { crash: true });
    expect(res.status).toBe(202);
    await until(() => crashed);
  });
});
