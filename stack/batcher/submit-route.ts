import type { IncomingMessage, ServerResponse } from 'node:http';
import { submitRequestSchema } from '../protocol/batcher-api.js';
import { parseWireMessage } from '../protocol/parse-wire-message.js';
import { BodyTooLargeError, readBody, sendJson } from '../runtime/http-util.js';
import type { BatchScheduler } from './batch-scheduler.js';
import type { BatcherMetrics } from './batcher-metrics.js';

export interface SubmitRouteDeps {
  batcherId: string;
  maxBodyBytes: number;
  maxQueue: number;
  noWorkersGraceMs: number;
  scheduler: BatchScheduler;
  metrics: Pick<BatcherMetrics, 'reject'>;
}

/**
 * `POST /v1/submit`: validates the gateway's SubmitRequest and hands it to the scheduler, which answers
 * it; a submit the scheduler cannot admit gets its status, code and (for a full queue) Retry-After here.
 */
export function submitRoute(deps: SubmitRouteDeps) {
  const { scheduler, metrics } = deps;
  const draining = `batcher ${deps.batcherId} is draining`;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (scheduler.isDraining) {
      metrics.reject('draining');
      sendJson(res, 503, { error: { code: 'draining', message: draining } });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, deps.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        metrics.reject('bad_request');
        sendJson(res, 413, { error: { code: 'bad_request', message: error.message } });
      }
      // Otherwise the gateway went away mid-body: nobody to answer.
      return;
    }
    const parsed = parseWireMessage(submitRequestSchema, raw);
    if (!parsed.ok) {
      metrics.reject('bad_request');
      sendJson(res, 400, { error: { code: 'bad_request', message: parsed.message } });
      return;
    }
    const admitted = scheduler.submit(parsed.value, res);
    if (admitted.ok) return;
    metrics.reject(admitted.code);
    const message =
      admitted.code === 'queue_full'
        ? `queue full (${deps.maxQueue} requests waiting)`
        : admitted.code === 'no_workers'
          ? `no live worker for over ${deps.noWorkersGraceMs} ms`
          : draining;
    const extra: Record<string, string> =
      admitted.retryAfterS === undefined ? {} : { 'retry-after': String(admitted.retryAfterS) };
    sendJson(res, admitted.status, { error: { code: admitted.code, message } }, extra);
  };
}
