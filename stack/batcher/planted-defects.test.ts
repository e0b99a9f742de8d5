import { afterEach, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/random/prng.js';
import { headers } from '../protocol/headers.js';
import { type BatcherTestBed, startTestBed } from '../testing/batcher-test-bed.js';
import { refusingUrl } from '../testing/fake-worker.js';
import { submitRequest, submitTo } from '../testing/submit-client.js';
import { BatcherDefects } from './planted-defects.js';

const off = { batcher_ejection_disabled: false, batcher_fail_share_after_return: 0 };

describe('BatcherDefects', () => {
  it('fails nothing with the switches off, even after a worker came back', () => {
    const defects = new BatcherDefects(off, mulberry32(1));
    defects.noteWorkerReturned('w-a');
    expect(defects.ejectionDisabled).toBe(false);
    expect(Array.from({ length: 1_000 }, () => defects.failsAnswer())).not.toContain(true);
  });

  it('fails its share of answers only once a worker came back, and logs the arming once', () => {
    const lines: string[] = [];
    const defects = new BatcherDefects({ ...off, batcher_fail_share_after_return: 0.1 }, mulberry32(3), (l) =>
      lines.push(l),
    );
    expect(Array.from({ length: 1_000 }, () => defects.failsAnswer())).not.toContain(true);
    defects.noteWorkerReturned('w-a');
    defects.noteWorkerReturned('w-b');
    const failed = Array.from({ length: 10_000 }, () => defects.failsAnswer()).filter(Boolean).length;
    expect(failed).toBeGreaterThan(900);
    expect(failed).toBeLessThan(1_100);
    expect(lines).toEqual(['defect armed (worker w-a came back): failing 10 % of answers']);
  });
});

describe('the batcher with defect switches on', () => {
  let bed: BatcherTestBed | undefined;
  afterEach(async () => {
    await bed?.close();
    bed = undefined;
  });

  const dead = async (id: string) => ({
    id,
    node: 'test-node',
    gpuIndex: 0,
    url: await refusingUrl(),
    maxRunningSeqs: 256,
    state: 'ready' as const,
    startedAt: 1,
  });

  it('batcher_ejection_disabled: keeps sending to a worker that refuses connections', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-b' }],
      extraRecords: [await dead('w-a')],
      defects: { batcher_ejection_disabled: true },
    });
    for (let i = 0; i < 3; i++) {
      const answer = await submitTo(bed.batcher.url, submitRequest());
      // Re-dispatch still saves each request; only the ejection is gone.
      expect(answer.status).toBe(200);
      expect(answer.headers[headers.attempts]).toBe('2');
    }
    const status = bed.batcher.status();
    expect(status.ejected).toEqual([]);
    expect(status.workers.find((w) => w.id === 'w-a')).toMatchObject({ live: true, ejected: false });
  });

  it('batcher_fail_share_after_return: answers fail once a worker that left the registry is back', async () => {
    bed = await startTestBed({
      config: { max_batch_delay_ms: 0 },
      workers: [{ id: 'w-a' }, { id: 'w-b' }],
      defects: { batcher_fail_share_after_return: 1 },
    });
    const { batcher, source, workers } = bed;
    const records = source.values();
    expect((await submitTo(batcher.url, submitRequest({ stream: false }))).status).toBe(200);
    // w-a's lease expires (its record leaves): still nothing fails.
    source.set(records.filter((r) => r.id !== 'w-a'));
    expect((await submitTo(batcher.url, submitRequest({ stream: false }))).status).toBe(200);
    // w-a registers again, as a restarted process would: from now on every answer fails, without retry, as
    // a 500 (the batcher's own error, which the gateway passes on; a 502 it would retry elsewhere).
    source.set(records);
    const answer = await submitTo(batcher.url, submitRequest({ stream: false }));
    expect(answer.status).toBe(500);
    expect(answer.error?.code).toBe('planted_defect');
    expect(answer.error?.message).toContain('planted defect batcher_fail_share_after_return');
    expect(workers.reduce((n, w) => n + w.batches.length, 0)).toBe(3);
  });
});
