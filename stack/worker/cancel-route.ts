import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseWireMessage } from '../protocol/parse-wire-message.js';
import { cancelRequestSchema } from '../protocol/worker-api.js';
import { readBody, sendJson } from '../runtime/http-util.js';
import type { BatchHandle } from './scheduler.js';
import { workerError } from './worker-error.js';

export interface CancelRouteDeps {
  maxBodyBytes: number;
  running: ReadonlyMap<string, BatchHandle>;
}

/**
 * `POST /v1/cancel`: some clients of a running batch went away. Their sequences stop now, so the GPU's slot
 * and KV go to other work instead of tokens nobody reads. A batch that already ended is not an error (the
 * cancel raced the last token): the answer says how many sequences were still live.
 */
export function cancelRoute(deps: CancelRouteDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const parsed = parseWireMessage(cancelRequestSchema, await readBody(req, deps.maxBodyBytes));
    if (!parsed.ok) {
      sendJson(res, 400, workerError('bad_request', parsed.message));
      return;
    }
    const handle = deps.running.get(parsed.value.batchId);
    sendJson(res, 200, { cancelled: handle ? handle.cancelItems(parsed.value.ids) : 0 });
  };
}
