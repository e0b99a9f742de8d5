import type { GatewayConfig } from '../../core/config/cluster-config.js';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import { startHttpService } from '../runtime/http-service.js';
import type { RecordSource } from '../runtime/registry-view.js';
import { apiRoute } from './api-route.js';
import { BatcherRouter } from './batcher-router.js';
import { DrainGate } from './drain-gate.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { inferenceRoute } from './inference-route.js';
import { modelsRoute } from './models-route.js';
import { peerRoutes } from './peer-routes.js';
import { requestHandler } from './request-handler.js';
import { createUpstreamAgent } from './upstream-agent.js';

/**
 * The gateway's HTTP server: wires the routes (peer-routes, api-route with models-route and
 * inference-route), the batcher router and the upstream pool onto the shared HTTP skeleton.
 */

export interface GatewayServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  gateway: GatewayConfig;
  /** The one model this cluster serves (config.model_name). */
  modelName: string;
  /** Bearer keys accepted on /infer and /v1/*; at least one. */
  apiKeys: readonly string[];
  batchers: RecordSource<BatcherRecord>;
  /** Errors and rare events only; never one line per request. */
  log?: (message: string) => void;
  /** How long a TCP connect to a batcher may take before it counts as a failure. Default 3,000. */
  upstreamConnectTimeoutMs?: number;
  /** Send each prompt's text to the batchers: the workers front a real engine. Default false. */
  carryPrompt?: boolean;
}

export interface GatewayServer extends AsyncDisposable {
  url: string;
  metrics: GatewayMetrics;
  /**
   * Graceful stop: /readyz and new API requests answer 503 `draining`, in-flight requests may finish for
   * up to `timeoutMs` (default 10,000), then the server and every connection close.
   */
  drain(timeoutMs?: number): Promise<void>;
  /** Immediate stop: every connection and upstream request is closed now. */
  close(): Promise<void>;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const settings = validated(options);
  const { gateway, modelName } = settings;
  const log = settings.log ?? (() => {});

  // The gauge reads the router at scrape time only, after both exist.
  const metrics = new GatewayMetrics(() => router.routableCount());
  const router = new BatcherRouter(settings.batchers, {
    ejectAfterFailures: gateway.batcher_eject_after_failures,
    ejectMs: gateway.batcher_eject_ms,
    onEject: (batcherId, failures) => {
      metrics.ejections.labels(batcherId).inc();
      log(
        `batcher ${batcherId} ejected for ${gateway.batcher_eject_ms} ms after ${failures} consecutive failures`,
      );
    },
  });
  const agent = createUpstreamAgent(settings.upstreamConnectTimeoutMs ?? 3_000);
  const gate = new DrainGate();
  const api = apiRoute({
    gate,
    apiKeys: new Set(settings.apiKeys),
    metrics,
    models: modelsRoute(modelName),
    inference: inferenceRoute({
      gateway,
      modelName,
      proxy: { router, agent, metrics, carryPrompt: settings.carryPrompt ?? false },
    }),
  });
  const routes = peerRoutes({ router, gate, registry: metrics.registry });

  const service = await startHttpService({
    host: settings.host ?? '127.0.0.1',
    port: settings.port ?? 0,
    handle: requestHandler({ routes, api, log }),
    // The handler answers every error itself; this is the last resort should answering fail.
    onError: (_req, res) => res.destroy(),
    // Longer than the keep-alive of typical clients and load generators, so the gateway is not the side
    // that closes an idle connection just as a request is sent on it.
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
  });

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      gate.stopAdmitting();
      await service.close();
      router.close();
      await agent.destroy();
    })();
    return closed;
  };

  // The listener stays open while draining so that new requests get a clear 503 rather than a refused
  // connection; readiness already reports 503 so that nothing new is routed here.
  const drain = async (timeoutMs = 10_000) => {
    await gate.drained(timeoutMs);
    await close();
  };

  return { url: service.url, metrics, drain, close, [Symbol.asyncDispose]: close };
}

function validated(options: GatewayServerOptions): GatewayServerOptions {
  if (options.apiKeys.length === 0) {
    throw new Error('startGatewayServer: apiKeys is empty; the gateway needs at least one API key');
  }
  if (options.modelName === '') throw new Error('startGatewayServer: modelName is empty');
  const connectMs = options.upstreamConnectTimeoutMs;
  if (connectMs !== undefined && !(Number.isInteger(connectMs) && connectMs >= 1)) {
    throw new Error(
      `startGatewayServer: upstreamConnectTimeoutMs must be a positive integer, got ${connectMs}`,
    );
  }
  return options;
}
