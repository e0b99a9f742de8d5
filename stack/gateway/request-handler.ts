import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Routes, routeRequest } from '../runtime/http-service.js';
import { ApiError, sendApiError } from './api-error.js';
import type { ApiRoute } from './api-route.js';
import { allowMethods, pathOf } from './gateway-http.js';
import { requestIdOf } from './request-id.js';

export interface RequestHandlerDeps {
  /** Routes answered without an API key. */
  routes: Routes;
  /** Every path the routes table does not have. */
  api: ApiRoute;
  log: (message: string) => void;
}

/**
 * The gateway's entry point for a request: gives it a request id, routes it, and answers every error in
 * OpenAI's shape (a 500 for the gateway's own faults, logged with the request id).
 */
export function requestHandler(deps: RequestHandlerDeps) {
  const { routes, api, log } = deps;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const path = pathOf(req.url);
    try {
      await routeRequest(routes, {
        notFound: (_req, _res, apiPath) => api(req, res, apiPath, requestId),
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
  };
}
