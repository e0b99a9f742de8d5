import type { WorkerConfig } from '../../core/config/cluster-config.js';
import { registryPrefix, type WorkerRecord, workerKey } from '../protocol/registry-keys.js';
import { createEtcdClient } from '../runtime/etcd-client.js';
import { announceReady } from '../runtime/ready-line.js';
import { Registration } from '../runtime/registration.js';
import { readServiceEnv } from '../runtime/service-env.js';
import { serviceLogger } from '../runtime/service-log.js';
import { onShutdownSignals } from '../runtime/shutdown-signals.js';
import { recordStart } from './restart-marker.js';
import { startWorkerServer } from './worker-server.js';

/**
 * Process entry of one simulated GPU worker: listen, register in etcd under a lease, print the ready line.
 * SIGTERM or SIGINT: mark the record draining (batchers stop sending), finish what is in flight, deregister,
 * close, exit 0.
 */

/** Registering retries this long while etcd is not answering (a member may still be starting). */
const registerDeadlineMs = 30_000;

function engineLabel(worker: WorkerConfig): string {
  const engine = worker.engine;
  return engine.kind === 'openai'
    ? `fronting the engine at ${engine.url} (model ${engine.model})`
    : `simulated ${worker.gpu} tp${worker.tensor_parallel}`;
}

async function main(): Promise<void> {
  const env = readServiceEnv();
  const log = serviceLogger('worker', env.id);
  const config = env.config;

  const server = await startWorkerServer({
    id: env.id,
    node: env.node,
    gpuIndex: env.gpuIndex,
    host: env.host,
    port: env.port,
    adminToken: env.adminToken,
    worker: config.worker,
    defects: config.defects,
    seed: config.seed,
    startReady: false,
    // A batch of items that carry their prompt text (a real engine behind this worker) is far larger.
    ...(config.worker.engine.kind === 'sim' ? {} : { maxBodyBytes: 64 * 1024 * 1024 }),
    log,
  });
  // A worker that fronts a real engine registers only once the engine serves the model: batchers would
  // otherwise route to a worker whose every sequence fails.
  try {
    await server.engineServing();
  } catch (error) {
    log((error as Error).message);
    await server.close();
    process.exit(1);
  }
  const url = env.advertiseUrl ?? server.url;
  const record: WorkerRecord = {
    id: env.id,
    node: env.node,
    gpuIndex: env.gpuIndex ?? 0,
    url,
    maxRunningSeqs: server.worker.max_running_seqs,
    state: 'ready',
    startedAt: Date.now(),
  };

  const etcd = createEtcdClient(env.etcdEndpoints);
  const key = workerKey(config.cluster_name, env.id);
  let registration: Registration | undefined;
  const deadline = Date.now() + registerDeadlineMs;
  for (let attempt = 1; !registration; attempt++) {
    try {
      registration = await Registration.create(etcd, key, record, config.etcd.lease_ttl_s, log);
    } catch (error) {
      if (Date.now() >= deadline) {
        log(
          `could not register under ${registryPrefix(config.cluster_name)} in etcd: ${(error as Error).message}`,
        );
        await server.close();
        etcd.close();
        process.exit(1);
      }
      if (attempt === 1) log(`etcd not reachable yet (${(error as Error).message}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  // A defect switch armed by a restart needs to know whether an earlier process of this id ever started.
  if (server.defects.anyOn) {
    const restarted = await recordStart(etcd, config.cluster_name, env.id).catch((error: Error) => {
      log(`could not read the start marker in etcd (${error.message}); treating this start as the first`);
      return false;
    });
    if (restarted) server.defects.noteRestart();
  }
  server.setReady(true);
  log(
    `listening on ${server.url} (advertised ${url}), ${engineLabel(server.worker)}, ` +
      `max ${server.worker.max_running_seqs} sequences, KV ${server.worker.kv_cache_tokens} tokens`,
  );
  announceReady(url);

  onShutdownSignals(async (signal) => {
    log(`${signal}: draining`);
    const active = registration;
    await active?.update({ ...record, state: 'draining' }).catch((error: Error) => {
      log(`could not mark the registration draining: ${error.message}`);
    });
    // A sequence cannot outlive the gateway's request timeout, so neither does the drain.
    await server.drain(config.gateway.request_timeout_ms);
    await active?.revoke();
    await server.close();
    etcd.close();
    log('drained and deregistered; exiting');
    process.exit(0);
  });
}

main().catch((error: Error) => {
  process.stderr.write(`worker failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
