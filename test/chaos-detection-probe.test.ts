import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetectionProbe, rangeKeys } from '../chaos/measure/detection-probe.js';
import { freePort } from '../core/process/free-port.js';
import { planEtcdCluster } from '../platforms/local/etcd-cluster.js';
import { etcdMember, ProcessStack } from '../platforms/local/testing/process-stack.js';
import { type BatcherServer, startBatcherServer } from '../stack/batcher/batcher-server.js';
import { type WorkerRecord, workerKey } from '../stack/protocol/registry-keys.js';
import { StaticRecordSource } from '../stack/runtime/registry-view.js';
import { startWorkerServer, type WorkerServer } from '../stack/worker/worker-server.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

async function etcdCall(url: string, path: string, body: object): Promise<void> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2_000),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
}

describe('DetectionProbe against a real batcher and a real etcd', () => {
  let dir: string;
  let etcd: ProcessStack;
  let etcdUrl: string;
  let worker: WorkerServer;
  let batcher: BatcherServer;
  let source: StaticRecordSource<WorkerRecord>;
  let probe: DetectionProbe;
  const record = (id: string, url: string): WorkerRecord => ({
    id,
    node: 'n',
    gpuIndex: 0,
    url,
    maxRunningSeqs: 256,
    state: 'ready',
    startedAt: 1,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gauntlet-probe-'));
    const [spec] = await planEtcdCluster(1, join(dir, 'etcd'), 'probe-test');
    if (!spec) throw new Error('no etcd spec');
    etcd = await ProcessStack.start(
      [{ role: 'etcd', id: 'etcd-0', node: 'control', launch: etcdMember(spec) }],
      { runDir: dir },
    );
    etcdUrl = spec.clientUrl;
    worker = await startWorkerServer({ id: 'w-ok', adminToken: 'adm' });
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    source = new StaticRecordSource([record('w-dead', deadUrl), record('w-ok', worker.url)]);
    batcher = await startBatcherServer({
      id: 'batcher-0',
      config: { max_batch_delay_ms: 0 },
      workers: source,
    });
    for (const id of ['w-dead', 'w-ok'])
      await etcdCall(etcdUrl, '/v3/kv/put', { key: b64(workerKey('gauntlet', id)), value: b64('{}') });
    probe = new DetectionProbe({
      cluster: 'gauntlet',
      batchers: () => [{ id: 'batcher-0', url: batcher.url }],
      etcdMembers: () => [{ id: 'etcd-0', url: etcdUrl }],
      expected: () => ({ workers: ['w-dead', 'w-ok'], batchers: [] }),
      maxDurationMs: 30_000,
    });
  });

  afterAll(async () => {
    await probe?.stop();
    await batcher?.close();
    await worker?.close();
    await etcd?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the registry through the v3 JSON gateway', async () => {
    expect(await rangeKeys(etcdUrl, '/gauntlet/gauntlet/workers/', 1_000)).toEqual([
      '/gauntlet/gauntlet/workers/w-dead',
      '/gauntlet/gauntlet/workers/w-ok',
    ]);
  });

  it('records nothing while every worker is routable', async () => {
    await probe.pollOnce();
    expect(probe.observations()).toEqual([]);
  });

  it('records the batcher ejecting a worker whose connection is refused, once', async () => {
    const response = await fetch(`${batcher.url}/v1/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'req-1', promptTokens: 8, maxTokens: 2, seed: 1, stream: false }),
      signal: AbortSignal.timeout(5_000),
    });
    await response.text();
    expect(response.status).toBe(200);
    await probe.pollOnce();
    await probe.pollOnce();
    const seen = probe.observations().map((o) => `${o.targetId} ${o.signal} ${o.source}`);
    expect(seen).toEqual(['w-dead ejected batcher:batcher-0', 'w-dead not_live batcher:batcher-0']);
  });

  it('records a worker leaving the etcd registry and the batcher view', async () => {
    await etcdCall(etcdUrl, '/v3/kv/deleterange', { key: b64(workerKey('gauntlet', 'w-ok')) });
    source.set(source.values().filter((r) => r.id !== 'w-ok'));
    const before = Date.now();
    await probe.pollOnce();
    const fresh = probe.observations().filter((o) => o.targetId === 'w-ok');
    expect(fresh.map((o) => `${o.signal} ${o.source}`).sort()).toEqual([
      'unregistered batcher:batcher-0',
      'unregistered etcd-registry',
    ]);
    for (const o of fresh) expect(o.t).toBeGreaterThanOrEqual(before);
  });

  it('polls on its own every intervalMs until stopped', async () => {
    const polls = probe.polls;
    probe.start();
    await new Promise((resolve) => setTimeout(resolve, 450));
    await probe.stop();
    expect(probe.polls - polls).toBeGreaterThanOrEqual(3);
    const after = probe.polls;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(probe.polls).toBe(after);
  });
});
