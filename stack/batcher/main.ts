import type { Etcd3 } from 'etcd3';
import {
  type BatcherRecord,
  batcherKey,
  type WorkerRecord,
  workersPrefix,
} from '../protocol/registry-keys.js';
import { createEtcdClient } from '../runtime/etcd-client.js';
import { announceReady } from '../runtime/ready-line.js';
import { Registration } from '../runtime/registration.js';
import { RegistryView } from '../runtime/registry-view.js';
import { readServiceEnv } from '../runtime/service-env.js';
import { serviceLogger } from '../runtime/service-log.js';
import { onShutdownSignals } from '../runtime/shutdown-signals.js';
import { startBatcherServer } from './batcher-server.js';

/** How long a starting batcher keeps trying to reach etcd before it gives up. */
const etcdStartupAttempts = 60;
const etcdRetryDelayMs = 1_000;

async function withRetry<T>(
  what: string,
  log: (message: string) => void,
  action: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= etcdStartupAttempts) throw error;
      log(`${what} failed (${(error as Error).message}); retrying (${attempt}/${etcdStartupAttempts})`);
      await new Promise((resolve) => setTimeout(resolve, etcdRetryDelayMs));
    }
  }
}

/** Waits for `action` at most `ms`: on the way out, an unreachable etcd must not keep the process alive. */
function atMost(ms: number, action: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    action.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

async function main(): Promise<void> {
  const env = readServiceEnv();
  const log = serviceLogger('batcher', env.id);
  const cluster = env.config.cluster_name;
  const etcd: Etcd3 = createEtcdClient(env.etcdEndpoints);
  const viewOpening = withRetry('opening the worker registry', log, () =>
    RegistryView.open<WorkerRecord>(etcd, workersPrefix(cluster)),
  );
  const server = await startBatcherServer({
    id: env.id,
    config: env.config.batchers,
    defects: env.config.defects,
    seed: env.config.seed,
    workers: viewOpening,
    host: env.host,
    port: env.port,
    // Submits carry the prompt's text when the workers front a real engine: allow what the gateway took.
    ...(env.config.worker.engine.kind === 'sim'
      ? {}
      : { maxBodyBytes: Math.min(16 * 1024 * 1024, 2 * env.config.gateway.max_body_bytes) }),
    log,
  });
  const view = await viewOpening;
  const url = env.advertiseUrl ?? server.url;
  const record: BatcherRecord = { id: env.id, url, state: 'ready', startedAt: Date.now() };
  const ttlS = env.config.etcd.lease_ttl_s;
  const registration = await withRetry('registering', log, () =>
    Registration.create(etcd, batcherKey(cluster, env.id), record, ttlS, log),
  );
  announceReady(url);

  onShutdownSignals(async (signal) => {
    log(`${signal}: draining`);
    await atMost(2_000, registration.update({ ...record, state: 'draining' }));
    await server.drain();
    await atMost(3_000, registration.revoke());
    await server.close();
    await atMost(1_000, view.close());
    etcd.close();
    log('drained; exiting');
    process.exit(0);
  });
}

main().catch((error: Error) => {
  process.stderr.write(`batcher failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
