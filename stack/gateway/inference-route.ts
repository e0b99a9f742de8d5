import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { GatewayConfig } from '../../core/config/cluster-config.js';
import { allowMethods, readJson } from './gateway-http.js';
import { abortReasons, type ProxyDeps, proxyInference } from './proxy-inference.js';
import { createRequestParsers, type InferenceRequest, type RequestParsers } from './request-schemas.js';
import {
  chatFormat,
  completionFormat,
  type FormatContext,
  inferFormat,
  type ResponseFormat,
} from './response-formats.js';

export type InferenceRoute = '/infer' | '/v1/completions' | '/v1/chat/completions';

const inferenceRoutes: Record<
  InferenceRoute,
  { parse: keyof RequestParsers; format: (context: FormatContext) => ResponseFormat }
> = {
  '/infer': { parse: 'infer', format: inferFormat },
  '/v1/completions': { parse: 'completion', format: completionFormat },
  '/v1/chat/completions': { parse: 'chat', format: chatFormat },
};

export const isInferenceRoute = (path: string): path is InferenceRoute =>
  Object.hasOwn(inferenceRoutes, path);

export interface InferenceRouteDeps {
  gateway: GatewayConfig;
  modelName: string;
  proxy: ProxyDeps;
}

/**
 * `POST /infer`, `/v1/completions` and `/v1/chat/completions`: parses the body in the route's dialect and
 * proxies it to a batcher under the request deadline; a client that goes away aborts the upstream request.
 */
export function inferenceRoute(deps: InferenceRouteDeps) {
  const { gateway, modelName } = deps;
  const parsers = createRequestParsers({
    modelName,
    defaultMaxTokens: gateway.default_max_tokens,
    maxTokensLimit: gateway.max_tokens_limit,
  });
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    path: InferenceRoute,
    requestId: string,
  ): Promise<void> => {
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
        deps.proxy,
        { res, route: path, requestId, startedAt: performance.now(), signal: controller.signal },
        request,
        format,
      );
    } finally {
      clearTimeout(timer);
    }
  };
}
