import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../core/config/cluster-config.js';
import { startGatewayService } from '../stack/gateway/gateway-service.js';
import { batcherKey } from '../stack/protocol/registry-keys.js';
import { createEtcdClient } from '../stack/runtime/etcd-client.js';
import type { ServiceEnv } from '../stack/runtime/service-env.js';
import { startFakeBatcher } from '../stack/testing/fake-batcher.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One etcd member on free 127.0.0.1 ports, in a temporary data folder. */
async function startEtcd(): Promise<{ endpoint: string; process: ChildProcess }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gauntlet-gw-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    'etcd',
    [
      '--name=gw-test',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=gw-test=${peer}`,
    ],
    { stdio: 'ignore' },
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  return { endpoint, process: child };
}

describe('gateway service (etcd registry)', () => {
  it('routes to batchers registered in etcd and keeps routing while etcd is down', async () => {
    const etcd = await startEtcd();
    const config = resolveTopology(clusterConfigSchema.parse({ cluster_name: 'gw-test' }));
    const admin = createEtcdClient([etcd.endpoint]);
    cleanups.push(async () => admin.close());
    const batcher = await startFakeBatcher('b-0');
    cleanups.push(() => batcher.close());
    // etcd takes a moment to elect itself; the put retries within a bounded time.
    await expect
      .poll(
        () =>
          admin
            .put(batcherKey('gw-test', 'b-0'))
            .value(JSON.stringify(batcher.record))
            .then(() => true)
            .catch(() => false),
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);

    const env: ServiceEnv = {
      role: 'gateway',
      id: 'gateway-0',
      node: 'node-a',
      host: '127.0.0.1',
      port: 0,
      etcdEndpoints: [etcd.endpoint],
      adminToken: 'admin-token-123',
      apiKeys: ['service-key-123'],
      config,
    };
    const service = await startGatewayService(env, { etcdStartupTimeoutMs: 5_000 });
    cleanups.push(() => service.stop(1_000));
    const infer = () =>
      fetch(`${service.url}/infer`, {
        method: 'POST',
        headers: { authorization: 'Bearer service-key-123' },
        body: JSON.stringify({ prompt: 'hello' }),
      });
    expect((await infer()).status).toBe(200);

    await admin.delete().key(batcherKey('gw-test', 'b-0'));
    await expect
      .poll(async () => (await fetch(`${service.url}/readyz`)).status, { timeout: 5_000 })
      .toBe(503);
    await admin.put(batcherKey('gw-test', 'b-0')).value(JSON.stringify(batcher.record));
    await expect
      .poll(async () => (await fetch(`${service.url}/readyz`)).status, { timeout: 5_000 })
      .toBe(200);

    const exited = new Promise((resolve) => etcd.process.once('exit', resolve));
    etcd.process.kill('SIGKILL');
    await exited;
    const response = await infer();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gauntlet-batcher-id')).toBe('b-0');
    expect(batcher.requests).toHaveLength(2);
  });
});
