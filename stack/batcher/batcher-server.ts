import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { batcherSchema, type DefectsConfig, defectsSchema } from '../../core/config/cluster-config.js';
import { hashString, mixSeed, mulberry32 } from '../../core/random/prng.js';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import {
  pathOfUrl,
  probeRoutes,
  type Routes,
  routeRequest,
  startHttpService,
} from '../runtime/http-service.js';
import { sendJson } from '../runtime/http-util.js';
import type { RecordSource } from '../runtime/registry-view.js';
import { BatchScheduler, type SchedulerStatus } from './batch-scheduler.js';
import { BatcherMetrics } from './batcher-metrics.js';
import { BatcherDefects } from './planted-defects.js';
import { submitRoute } from './submit-route.js';

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
  /** The cluster config's `defects` section: planted damage for verdict tests; all off unless given. */
  defects?: Partial<DefectsConfig>;
  /** The cluster seed; with the batcher id it seeds the defect switches' PRNG. */
  seed?: number;
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
    defects: new BatcherDefects(
      defectsSchema.parse(options.defects ?? {}),
      mulberry32(mixSeed(options.seed ?? 42, hashString(options.id))),
      log,
    ),
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

  const routes: Routes = {
    ...probeRoutes({
      health: () => ({ status: 200, body: { ok: true } }),
      ready: () => {
        const isReady = ready && !core.isDraining;
        return { status: isReady ? 200 : 503, body: { ready: isReady, draining: core.isDraining } };
      },
      registry: metrics.registry,
    }),
    '/v1/status': { GET: (_req, res) => sendJson(res, 200, status()) },
    '/v1/submit': {
      POST: submitRoute({
        batcherId: options.id,
        maxBodyBytes: settings.maxBodyBytes,
        maxQueue: config.max_queue,
        noWorkersGraceMs: settings.noWorkersGraceMs,
        scheduler: core,
        metrics,
      }),
    },
  };
  // The batcher's API is GET apart from submit: another method is refused, an unknown GET is not found.
  const miss = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.method !== 'GET') {
      sendJson(res, 405, { error: { code: 'bad_request', message: `${req.method} ${path} is not allowed` } });
    } else {
      sendJson(res, 404, { error: { code: 'bad_request', message: `no route ${path}` } });
    }
  };
  const service = await startHttpService({
    host: settings.host,
    port: settings.port,
    handle: routeRequest(routes, { notFound: miss, methodNotAllowed: miss }),
    onError: (req, res, error) => {
      log(`${req.method} ${pathOfUrl(req.url)} failed: ${error.message}`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: error.message } });
      else res.destroy();
    },
    keepAliveTimeoutMs: 65_000,
  });
  const url = service.url;
  log(`listening on ${url}`);

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    core.close();
    await service.close();
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
