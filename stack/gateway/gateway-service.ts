import type { Etcd3 } from 'etcd3';
import { type BatcherRecord, batchersPrefix } from '../protocol/registry-keys.js';
import { createEtcdClient } from '../runtime/etcd-client.js';
import { RegistryView } from '../runtime/registry-view.js';
import type { ServiceEnv } from '../runtime/service-env.js';
import { type GatewayServer, startGatewayServer } from './gateway-server.js';

export interface GatewayService {
  /** The URL to announce: the platform's advertised one, else where the server listens. */
  url: string;
  server: GatewayServer;
  /** Drains in-flight requests (bounded by drainMs), then closes the server and the etcd client. */
  stop(drainMs: number): Promise<void>;
}

export interface GatewayServiceOptions {
  log?: (message: string) => void;
  /** How long the first registry read may keep failing (etcd still electing a leader). Default 60,000. */
  etcdStartupTimeoutMs?: number;
}

/** The gateway as a cluster service: batchers from the etcd registry, settings from the ServiceEnv. */
export async function startGatewayService(
  env: ServiceEnv,
  options: GatewayServiceOptions = {},
): Promise<GatewayService> {
  const log = options.log ?? (() => {});
  const etcd = createEtcdClient(env.etcdEndpoints);
  let batchers: RegistryView<BatcherRecord>;
  try {
    batchers = await openView(
      etcd,
      batchersPrefix(env.config.cluster_name),
      options.etcdStartupTimeoutMs ?? 60_000,
      log,
    );
  } catch (error) {
    etcd.close();
    throw error;
  }
  let server: GatewayServer;
  try {
    server = await startGatewayServer({
      host: env.host,
      port: env.port,
      gateway: env.config.gateway,
      modelName: env.config.model_name,
      apiKeys: [...new Set([...(env.apiKeys ?? []), ...env.config.gateway.api_keys])],
      batchers,
      log,
      carryPrompt: env.config.worker.engine.kind !== 'sim',
    });
  } catch (error) {
    await batchers.close();
    etcd.close();
    throw error;
  }
  return {
    url: env.advertiseUrl ?? server.url,
    server,
    async stop(drainMs) {
      await server.drain(drainMs);
      await batchers.close();
      etcd.close();
    },
  };
}

/**
 * The first read must succeed before the gateway can route at all. Later etcd outages keep the last view
 * (RegistryView), so the gateway goes on routing to the batchers it knows.
 */
async function openView(
  client: Etcd3,
  prefix: string,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<RegistryView<BatcherRecord>> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await RegistryView.open<BatcherRecord>(client, prefix);
    } catch (error) {
      const reason = (error as Error).message;
      if (Date.now() >= deadline) throw new Error(`etcd unreachable for ${timeoutMs} ms: ${reason}`);
      if (attempt === 1) log(`etcd not reachable yet (${reason}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
