import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { batcherSchema } from '../../core/config/cluster-config.js';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import { BodyTooLargeError, readBody, sendJson } from '../runtime/http-util.js';
import { serveMetrics } from '../runtime/metrics-endpoint.js';
import type { RecordSource } from '../runtime/registry-view.js';
import { BatchScheduler, type SchedulerStatus } from './batch-scheduler.js';
import { BatcherMetrics } from './batcher-metrics.js';
import { parseSubmitRequest } from './submit-request-schema.js';

export type BatcherConfigInput = z.input<typeof batcherSchema>;

export interface BatcherServerOptions {
  id: string;
  /** The cluster config's `batchers` section; defaults fill what is missing. */
  config?: BatcherConfigInput;
  /** Live workers; a promise while the registry view is still opening (readyz answers 503 until then). */
  workers: RecordSource<WorkerRecord> | Promise<RecordSource<WorkerRecord>>;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How long there may be no live worker before submits get 503 no_workers. */
  noWorkersGraceMs?: number;
  /** Longest wait of drain() for queued and in-flight requests. */
  drainTimeoutMs?: number;
  maxBodyBytes?: number;
  log?: (message: string) => void;
}

const settingsSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(0),
  noWorkersGraceMs: z.number().int().min(0).max(600_000).default(1_000),
  drainTimeoutMs: z.number().int().min(1).max(3_600_000).default(120_000),
  maxBodyBytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(64 * 1024),
});

export interface BatcherStatus extends SchedulerStatus {
  id: string;
  ready: boolean;
  draining: boolean;
}

export interface BatcherServer extends AsyncDisposable {
  readonly url: string;
  /** Stops admitting (503 draining) and resolves when queued and in-flight requests have finished. */
  drain(): Promise<void>;
  close(): Promise<void>;
  status(): BatcherStatus;
}

/** Starts the dynamic batcher's HTTP service (gateway -> batcher protocol) on host:port. */
export async function startBatcherServer(options: BatcherServerOptions): Promise<BatcherServer> {
  const settings = settingsSchema.parse({
    host: options.host,
    port: options.port,
    noWorkersGraceMs: options.noWorkersGraceMs,
    drainTimeoutMs: options.drainTimeoutMs,
    maxBodyBytes: options.maxBodyBytes,
  });
  const config = batcherSchema.parse(options.config ?? {});
  const log = options.log ?? (() => {});
  // The gauges read the scheduler only at scrape time, after it exists.
  const metrics: BatcherMetrics = new BatcherMetrics({
    queueDepth: () => core.queueDepth,
    inFlightSequences: () => core.inFlightSequences,
    liveWorkers: () => core.liveWorkers,
  });
  const core: BatchScheduler = new BatchScheduler({
    id: options.id,
    config,
    noWorkersGraceMs: settings.noWorkersGraceMs,
    metrics,
    log,
  });

  let ready = false;
  let closed = false;
  let drainPromise: Promise<void> | undefined;
  Promise.resolve(options.workers).then(
    (source) => {
      if (closed) return;
      core.attach(source);
      ready = true;
    },
    (error: Error) => log(`worker registry did not open: ${error.message}`),
  );

  const status = (): BatcherStatus => ({
    id: options.id,
    ready: ready && !core.isDraining,
    draining: core.isDraining,
    ...core.status(),
  });

  async function handleSubmit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (core.isDraining) {
      metrics.reject('draining');
      sendJson(res, 503, { error: { code: 'draining', message: `batcher ${options.id} is draining` } });
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, settings.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        metrics.reject('bad_request');
        sendJson(res, 413, { error: { code: 'bad_request', message: error.message } });
      }
      // Otherwise the gateway went away mid-body: nobody to answer.
      return;
    }
    const parsed = parseSubmitRequest(raw);
    if (!parsed.ok) {
      metrics.reject('bad_request');
      sendJson(res, 400, { error: { code: 'bad_request', message: parsed.message } });
      return;
    }
    const admitted = core.submit(parsed.request, res);
    if (admitted.ok) return;
    metrics.reject(admitted.code);
    const message =
      admitted.code === 'queue_full'
        ? `queue full (${config.max_queue} requests waiting)`
        : admitted.code === 'no_workers'
          ? `no live worker for over ${settings.noWorkersGraceMs} ms`
          : `batcher ${options.id} is draining`;
    const extra: Record<string, string> =
      admitted.retryAfterS === undefined ? {} : { 'retry-after': String(admitted.retryAfterS) };
    sendJson(res, admitted.status, { error: { code: admitted.code, message } }, extra);
  }

  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const path = url.includes('?') ? url.slice(0, url.indexOf('?')) : url;
    if (req.method === 'POST' && path === '/v1/submit') {
      handleSubmit(req, res).catch((error: Error) => {
        log(`submit failed: ${error.message}`);
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: error.message } });
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: { code: 'bad_request', message: `${req.method} ${path} is not allowed` } });
      return;
    }
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { ok: true });
        return;
      case '/readyz': {
        const isReady = ready && !core.isDraining;
        sendJson(res, isReady ? 200 : 503, { ready: isReady, draining: core.isDraining });
        return;
      }
      case '/metrics':
        serveMetrics(res, metrics.registry).catch(() => res.destroy());
        return;
      case '/v1/status':
        sendJson(res, 200, status());
        return;
      default:
        sendJson(res, 404, { error: { code: 'bad_request', message: `no route ${path}` } });
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, route);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log(`listening on ${url}`);

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    core.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  return {
    url,
    drain() {
      const draining = drainPromise ?? core.drain(settings.drainTimeoutMs);
      drainPromise = draining;
      return draining;
    },
    close,
    status,
    [Symbol.asyncDispose]: close,
  };
}
