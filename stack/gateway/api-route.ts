import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { hasBearer } from '../runtime/http-util.js';
import { ApiError } from './api-error.js';
import type { DrainGate } from './drain-gate.js';
import { unknownRoute } from './gateway-http.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { type inferenceRoute, isInferenceRoute } from './inference-route.js';
import { isModelsPath, type modelsRoute } from './models-route.js';

export interface ApiRouteDeps {
  gate: DrainGate;
  apiKeys: ReadonlySet<string>;
  metrics: GatewayMetrics;
  models: ReturnType<typeof modelsRoute>;
  inference: ReturnType<typeof inferenceRoute>;
}

export type ApiRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId: string,
) => Promise<void>;

/**
 * Everything that is not a probe: the OpenAI-style API and /infer, behind the API key. Every request is
 * counted in the metrics, labelled by route ('other' for unknown API paths, 'unknown' for the rest).
 */
export function apiRoute(deps: ApiRouteDeps): ApiRoute {
  const { gate } = deps;
  return async (req, res, path, requestId) => {
    const apiPath = path === '/infer' || path.startsWith('/v1/');
    trackRequest(deps.metrics, res, routeLabel(path, apiPath));
    if (!apiPath) throw unknownRoute(req, path);
    if (gate.draining) {
      res.setHeader('connection', 'close');
      throw new ApiError(503, 'server_error', 'draining', 'The gateway is shutting down');
    }
    gate.admit(res);
    if (!hasBearer(req, deps.apiKeys)) {
      throw new ApiError(
        401,
        'invalid_request_error',
        'invalid_api_key',
        'Incorrect or missing API key: send Authorization: Bearer <key>',
      );
    }
    if (isModelsPath(path)) {
      deps.models(req, res, path);
      return;
    }
    if (!isInferenceRoute(path)) throw unknownRoute(req, path);
    await deps.inference(req, res, path, requestId);
  };
}

function routeLabel(path: string, apiPath: boolean): string {
  if (isInferenceRoute(path) || path === '/v1/models') return path;
  return apiPath ? 'other' : 'unknown';
}

function trackRequest(metrics: GatewayMetrics, res: ServerResponse, route: string): void {
  const startedAt = performance.now();
  metrics.inflight.inc();
  res.once('close', () => {
    metrics.inflight.dec();
    const code = res.writableFinished ? String(res.statusCode) : '499';
    metrics.requests.labels(route, code).inc();
    metrics.duration.labels(route).observe((performance.now() - startedAt) / 1000);
  });
}
