import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import { StaticRecordSource } from '../runtime/registry-view.js';
import { submitRequest, submitTo } from '../testing/submit-client.js';
import { startWorkerServer } from '../worker/worker-server.js';
import { startBatcherServer } from './batcher-server.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** One metric's value in a Prometheus text page (0 when the series is absent). */
function metric(page: string, name: string): number {
  const line = page.split('\n').find((entry) => entry.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

async function until(what: string, condition: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a client that cancels a stream midway', () => {
  it('frees its sequence on the worker and its slot in the batcher, while its batch-mate runs on', async () => {
    const worker = await startWorkerServer({ id: 'w-cancel', node: 'n', adminToken: 'test-admin-token' });
    cleanups.push(() => worker.close());
    const record: WorkerRecord = {
      id: 'w-cancel',
      node: 'n',
      gpuIndex: 0,
      url: worker.url,
      maxRunningSeqs: 256,
      state: 'ready',
      startedAt: Date.now(),
    };
    // A long batch delay puts both requests into one batch, so only a per-sequence cancel can free one.
    const batcher = await startBatcherServer({
      id: 'b-cancel',
      config: { max_batch_size: 2, max_batch_delay_ms: 200 },
      workers: new StaticRecordSource([record]),
    });
    cleanups.push(() => batcher.close());

    const controller = new AbortController();
    // 2,000 tokens at ~13 ms a step: ~26 s if nobody stopped them; the test ends in well under a second.
    const leaving = submitTo(
      batcher.url,
      submitRequest({ id: 'leaves', maxTokens: 2_000 }),
      controller.signal,
    ).catch((error: unknown) => error);
    const staying = submitTo(batcher.url, submitRequest({ id: 'stays', maxTokens: 60 }));
    await until('both sequences running', async () => worker.status().running === 2);
    expect(batcher.status().inFlightSequences).toBe(2);

    controller.abort();
    await leaving;
    await until('the cancelled sequence freed', async () => worker.status().running === 1);
    const workerPage = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metric(workerPage, 'gauntlet_worker_cancelled_sequences_total')).toBe(1);
    await until('the batcher slot freed', async () => {
      const page = await (await fetch(`${batcher.url}/metrics`)).text();
      return metric(page, 'gauntlet_batcher_inflight_sequences') === 1;
    });

    const answer = await staying;
    expect(answer.status).toBe(200);
    expect(answer.events.at(-1)).toMatchObject({ t: 'done', completionTokens: 60 });
    expect(worker.status()).toMatchObject({ running: 0, kvUsedTokens: 0 });
    expect(batcher.status().inFlightSequences).toBe(0);
  });
});
