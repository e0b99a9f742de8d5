import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import type { GatewayConfig } from '../../core/config/cluster-config.js';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import {
  probeRoutes,
  type RouteHandler,
  type Routes,
  routeRequest,
  startHttpService,
} from '../runtime/http-service.js';
import { hasBearer, sendJson } from '../runtime/http-util.js';
import type { RecordSource } from '../runtime/registry-view.js';
import { ApiError, sendApiError } from './api-error.js';
import { BatcherRouter } from './batcher-router.js';
import { allowMethods, decodedSegment, pathOf, readJson, unknownRoute } from './gateway-http.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { gatewayVersion } from './gateway-version.js';
import { abortReasons, proxyInference } from './proxy-inference.js';
import { requestIdOf } from './request-id.js';
import { createRequestParsers, type InferenceRequest, type RequestParsers } from './request-schemas.js';
import {
  chatFormat,
  completionFormat,
  type FormatContext,
  inferFormat,
  type ResponseFormat,
} from './response-formats.js';

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

type InferenceRoute = '/infer' | '/v1/completions' | '/v1/chat/completions';

const inferenceRoutes: Record<
  InferenceRoute,
  { parse: keyof RequestParsers; format: (context: FormatContext) => ResponseFormat }
> = {
  '/infer': { parse: 'infer', format: inferFormat },
  '/v1/completions': { parse: 'completion', format: completionFormat },
  '/v1/chat/completions': { parse: 'chat', format: chatFormat },
};

const isInferenceRoute = (path: string): path is InferenceRoute => Object.hasOwn(inferenceRoutes, path);

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const settings = validated(options);
  const { gateway, modelName } = settings;
  const log = settings.log ?? (() => {});
  const apiKeys = new Set(settings.apiKeys);
  const createdS = Math.floor(Date.now() / 1000);
  const modelCard = { id: modelName, object: 'model', created: createdS, owned_by: 'gauntlet' };

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
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: settings.upstreamConnectTimeoutMs ?? 3_000 },
    // Each request carries its own deadline (request_timeout_ms); undici's would cut long streams.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const parsers = createRequestParsers({
    modelName,
    defaultMaxTokens: gateway.default_max_tokens,
    maxTokensLimit: gateway.max_tokens_limit,
  });
  const deps = { router, agent, metrics };

  let draining = false;
  /** Requests admitted (not refused while draining) and not finished: what a drain waits for. */
  let admitted = 0;
  const idleWaiters = new Set<() => void>();

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, requestId: string) {
    if (draining) {
      res.setHeader('connection', 'close');
      throw new ApiError(503, 'server_error', 'draining', 'The gateway is shutting down');
    }
    admitted++;
    res.once('close', () => {
      admitted--;
      if (admitted === 0) for (const wake of idleWaiters) wake();
    });
    if (!hasBearer(req, apiKeys)) {
      throw new ApiError(
        401,
        'invalid_request_error',
        'invalid_api_key',
        'Incorrect or missing API key: send Authorization: Bearer <key>',
      );
    }
    if (path === '/v1/models') {
      allowMethods(req, ['GET']);
      sendJson(res, 200, { object: 'list', data: [modelCard] });
      return;
    }
    if (path.startsWith('/v1/models/')) {
      allowMethods(req, ['GET']);
      const id = decodedSegment(path.slice('/v1/models/'.length));
      if (id !== modelName) {
        throw new ApiError(
          404,
          'invalid_request_error',
          'model_not_found',
          `The model '${id}' does not exist`,
          'model',
        );
      }
      sendJson(res, 200, modelCard);
      return;
    }
    if (!isInferenceRoute(path)) throw unknownRoute(req, path);
    allowMethods(req, ['POST']);
    const route = inferenceRoutes[path];
    const request: InferenceRequest = parsers[route.parse](await readJson(req, gateway.max_body_bytes));
    const format = route.format({ requestId, model: modelName, includeUsage: request.includeUsage });
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(abortReasons.clientClosed);
    });
    const timer = setTimeout(() => controller.abort(abortReasons.timeout), gateway.request_timeout_ms);
    try {
      await proxyInference(
        deps,
        { res, route: path, requestId, startedAt: performance.now(), signal: controller.signal },
        request,
        format,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  function track(res: ServerResponse, route: string): void {
    const startedAt = performance.now();
    deps.metrics.inflight.inc();
    res.once('close', () => {
      deps.metrics.inflight.dec();
      const code = res.writableFinished ? String(res.statusCode) : '499';
      deps.metrics.requests.labels(route, code).inc();
      deps.metrics.duration.labels(route).observe((performance.now() - startedAt) / 1000);
    });
  }

  // vLLM's and SGLang's conventions, which benchmark clients (GuideLLM) probe before they send load:
  // an empty 200 while the gateway can route, an empty 503 when it cannot (no routable batcher, or
  // draining), as vLLM answers 503 when its engine is dead. No API key, as in vLLM.
  const vllmHealth: RouteHandler = (_req, res) => {
    res.writeHead(!draining && router.routableCount() > 0 ? 200 : 503, { 'content-length': 0 });
    res.end();
  };
  const version: RouteHandler = (_req, res) => sendJson(res, 200, { version: gatewayVersion() });
  const routes: Routes = {
    ...probeRoutes({
      health: () => ({ status: 200, body: { status: 'ok' } }),
      ready: () => {
        const routable = router.routableCount();
        const ready = !draining && routable > 0;
        return {
          status: ready ? 200 : 503,
          body: { status: ready ? 'ready' : 'not_ready', routableBatchers: routable, draining },
        };
      },
      registry: deps.metrics.registry,
    }),
    '/health': { GET: vllmHealth, HEAD: vllmHealth },
    '/version': { GET: version },
  };

  /** Everything that is not a probe: the OpenAI-style API and /infer, behind the API key. */
  async function apiRoute(req: IncomingMessage, res: ServerResponse, path: string, requestId: string) {
    const apiPath = path === '/infer' || path.startsWith('/v1/');
    track(res, isInferenceRoute(path) || path === '/v1/models' ? path : apiPath ? 'other' : 'unknown');
    if (!apiPath) throw unknownRoute(req, path);
    await handleApi(req, res, path, requestId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const path = pathOf(req.url);
    try {
      await routeRequest(routes, {
        notFound: (_req, _res, apiPath) => apiRoute(req, res, apiPath, requestId),
        methodNotAllowed: (_req, _res, _path, allowed) => allowMethods(req, allowed),
      })(req, res, path);
    } catch (error) {
      if (error instanceof ApiError) {
        if (!res.headersSent) sendApiError(res, error);
        return;
      }
      // A client that went away mid-upload is not an error of the gateway.
      if (res.destroyed) return;
      log(`request ${requestId} ${req.method} ${path} failed: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) {
        sendApiError(res, new ApiError(500, 'server_error', 'internal_error', 'Internal gateway error'));
      } else {
        res.destroy();
      }
    }
  }

  const service = await startHttpService({
    host: settings.host ?? '127.0.0.1',
    port: settings.port ?? 0,
    handle,
    // handle answers every error itself; this is the last resort should answering fail.
    onError: (_req, res) => res.destroy(),
    // Longer than the keep-alive of typical clients and load generators, so the gateway is not the side
    // that closes an idle connection just as a request is sent on it.
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
  });
  const url = service.url;

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      draining = true;
      await service.close();
      router.close();
      await agent.destroy();
    })();
    return closed;
  };

  // The listener stays open while draining so that new requests get a clear 503 rather than a refused
  // connection; readiness already reports 503 so that nothing new is routed here.
  const drain = async (timeoutMs = 10_000) => {
    draining = true;
    if (admitted > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        idleWaiters.add(done);
      });
    }
    await close();
  };

  return { url, metrics: deps.metrics, drain, close, [Symbol.asyncDispose]: close };
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
