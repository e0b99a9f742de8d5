import type { IncomingMessage, ServerResponse } from 'node:http';
import { headers } from '../protocol/headers.js';
import { parseWireMessage } from '../protocol/parse-wire-message.js';
import { batchRequestSchema } from '../protocol/worker-api.js';
import { BodyTooLargeError, readBody, sendJson } from '../runtime/http-util.js';
import type { WorkerEngine } from './engine/worker-engine.js';
import type { BatchHandle, BatchSink } from './scheduler.js';
import { workerError } from './worker-error.js';
import type { WorkerMetrics } from './worker-metrics.js';

export interface BatchRouteDeps {
  workerId: string;
  maxBodyBytes: number;
  scheduler: WorkerEngine;
  metrics: Pick<WorkerMetrics, 'rejected' | 'batchAccepted'>;
  /** True once the worker drains or closes: new batches go elsewhere. */
  refusing: () => boolean;
  /** Batches still streaming, by batchId, for `POST /v1/cancel`. */
  running: Map<string, BatchHandle>;
  /** A planted defect: true for a sequence to accept and never answer (stack/README.md, "Defect switches"). */
  neverAnswers?: () => boolean;
}

/** `POST /v1/batch`: validates the batch and streams its WorkerEvents as NDJSON while the scheduler runs it. */
export function batchRoute(deps: BatchRouteDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: Buffer;
    try {
      raw = await readBody(req, deps.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, workerError('bad_request', error.message), { connection: 'close' });
        return;
      }
      throw error;
    }
    const parsed = parseWireMessage(batchRequestSchema, raw);
    if (!parsed.ok) {
      sendJson(res, 400, workerError('bad_request', parsed.message));
      return;
    }
    const request = parsed.value;
    if (deps.refusing()) {
      deps.metrics.rejected('draining', request.items.length);
      sendJson(res, 503, workerError('draining', 'worker is draining; send this batch elsewhere'));
      return;
    }
    if (res.destroyed) return;
    res.writeHead(200, {
      'content-type': 'application/x-ndjson',
      'cache-control': 'no-store',
      [headers.workerId]: deps.workerId,
    });
    res.flushHeaders();
    deps.metrics.batchAccepted();
    let ended = false;
    // Assigned after submit, which may end the batch at once (every item refused) before it returns.
    let handle: BatchHandle | undefined;
    const forget = () => {
      if (handle !== undefined && deps.running.get(request.batchId) === handle) {
        deps.running.delete(request.batchId);
      }
    };
    const neverAnswers = deps.neverAnswers;
    const items = neverAnswers ? request.items.filter(() => !neverAnswers()) : request.items;
    // A swallowed sequence never gets its done line, so the stream stays open until the batcher gives up.
    const swallowed = items.length < request.items.length;
    const sink: BatchSink = {
      write: (line) => {
        res.write(line);
      },
      end: () => {
        if (swallowed) return;
        ended = true;
        forget();
        res.end();
      },
    };
    const submitted = deps.scheduler.submit(items, sink);
    handle = submitted;
    if (!ended) deps.running.set(request.batchId, submitted);
    // The batcher went away (or timed out on us): its sequences stop and their KV is freed.
    res.on('close', () => {
      forget();
      if (!ended) submitted.cancel();
    });
  };
}
