import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../runtime/http-util.js';
import { ApiError } from './api-error.js';
import { allowMethods, decodedSegment } from './gateway-http.js';

const modelPrefix = '/v1/models/';

export const isModelsPath = (path: string): boolean => path === '/v1/models' || path.startsWith(modelPrefix);

/**
 * `GET /v1/models` and `GET /v1/models/<id>` in OpenAI's shape: the one model this cluster serves, with
 * the time the gateway started as its `created`.
 */
export function modelsRoute(modelName: string) {
  const createdS = Math.floor(Date.now() / 1000);
  const modelCard = { id: modelName, object: 'model', created: createdS, owned_by: 'gauntlet' };
  return (req: IncomingMessage, res: ServerResponse, path: string): void => {
    allowMethods(req, ['GET']);
    if (path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [modelCard] });
      return;
    }
    const id = decodedSegment(path.slice(modelPrefix.length));
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
  };
}
