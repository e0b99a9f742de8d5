import type { Registry } from 'prom-client';
import { z } from 'zod';
import {
  type DefectsConfig,
  defectsSchema,
  type WorkerConfig,
  workerSchema,
} from '../../core/config/cluster-config.js';
import { mixSeed, mulberry32 } from '../../core/random/prng.js';
import { hashSeed } from '../protocol/tokens.js';
import {
  probeRoutes,
  type RouteHandler,
  type Routes,
  routeRequest,
  startHttpService,
} from '../runtime/http-service.js';
import { sendJson } from '../runtime/http-util.js';
import { batchRoute } from './batch-route.js';
import { cancelRoute } from './cancel-route.js';
import { OpenAiEngine } from './engine/openai-engine.js';
import type { WorkerEngine } from './engine/worker-engine.js';
import { faultAdminRoute } from './fault-admin-route.js';
import { FaultState } from './fault-state.js';
import { WorkerDefects } from './planted-defects.js';
import { type BatchHandle, Scheduler, type SchedulerClock } from './scheduler.js';
import { workerError } from './worker-error.js';
import { createWorkerMetrics } from './worker-metrics.js';

/**
 * The GPU worker's HTTP surface (node:http): `POST /v1/batch` streams NDJSON WorkerEvents, health,
 * readiness, metrics and status endpoints, and the token-protected fault admin API. Behind it, the
 * simulated A100 (Scheduler) or an adapter in front of a real engine (config `worker.engine`).
 */

const settingsSchema = z.object({
  id: z.string().min(1).max(200),
  node: z.string().min(1).max(200).default('local'),
  gpuIndex: z.number().int().min(0).max(64).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(0),
  adminToken: z.string().min(1),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  startReady: z.boolean().default(true),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(4 * 1024 * 1024),
});

export interface WorkerServerOptions {
  id: string;
  node?: string;
  gpuIndex?: number;
  /** Listening address; 127.0.0.1 unless given. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  adminToken: string;
  /** The cluster config's `worker` section (defaults filled in and validated here). */
  worker?: z.input<typeof workerSchema>;
  /** The cluster config's `defects` section: planted damage for verdict tests; all off unless given. */
  defects?: Partial<DefectsConfig>;
  /** The cluster seed; with the worker id it seeds the fault PRNG. */
  seed?: number;
  /** Whether /readyz answers 200 from the start; main.ts starts unready and calls setReady once registered. */
  startReady?: boolean;
  maxBodyBytes?: number;
  clock?: SchedulerClock;
  /** What `crash` does after its 202 is sent; SIGKILL of this process unless given (tests pass a stub). */
  onCrash?: () => void;
  log?: (message: string) => void;
  /** Where a real engine's API key variable is read (`worker.engine.api_key_env`); process.env unless given. */
  env?: NodeJS.ProcessEnv;
}

export interface WorkerStatus {
  id: string;
  node: string;
  /** What answers the batches: the simulated GPU or a real engine behind this worker. */
  engine: 'sim' | 'openai';
  running: number;
  waiting: number;
  kvUsedTokens: number;
  kvCapacityTokens: number;
  faults: ReturnType<FaultState['snapshot']>;
  draining: boolean;
}

export interface WorkerServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly engine: WorkerEngine;
  readonly faults: FaultState;
  /** The defect switches; main.ts calls `noteRestart()` when this process is a restart. */
  readonly defects: WorkerDefects;
  readonly registry: Registry;
  readonly worker: WorkerConfig;
  status(): WorkerStatus;
  /** Resolves once whatever answers the batches can take them: at once for the simulated GPU, once a real
   * engine serves the configured model (bounded by worker.engine.startup_timeout_s), else rejects. */
  engineServing(signal?: AbortSignal): Promise<void>;
  setReady(ready: boolean): void;
  /**
   * Stops taking batches (/readyz 503, /v1/batch 503) and resolves when every sequence in flight is done.
   * After `timeoutMs` the remaining sequences fail with `draining` instead.
   */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const killSelf = () => {
  // As PID 1 of a container (docker, a Kubernetes pod) the process cannot kill itself with a signal: the
  // kernel drops every signal to a namespace's init that has no handler, SIGKILL included, so a crash there
  // did nothing. Exit at once instead, with the status a SIGKILL gives (128 + 9); only synchronous 'exit'
  // handlers run, so nothing graceful happens (no drain, no deregistration), as in a real crash.
  if (process.pid === 1) process.exit(137);
  process.kill(process.pid, 'SIGKILL');
};

export async function startWorkerServer(options: WorkerServerOptions): Promise<WorkerServer> {
  const settings = settingsSchema.parse({
    id: options.id,
    node: options.node,
    gpuIndex: options.gpuIndex,
    host: options.host,
    port: options.port,
    adminToken: options.adminToken,
    seed: options.seed,
    startReady: options.startReady,
    maxBodyBytes: options.maxBodyBytes,
  });
  const worker = workerSchema.parse(options.worker ?? {});
  const log = options.log ?? (() => {});
  const onCrash = options.onCrash ?? killSelf;
  const adminTokens: ReadonlySet<string> = new Set([settings.adminToken]);

  const faults = new FaultState();
  const seed = (settings.seed ^ hashSeed(settings.id)) >>> 0;
  const defects = new WorkerDefects(
    defectsSchema.parse(options.defects ?? {}),
    mulberry32(mixSeed(seed, 0x0defec7)),
    log,
  );
  defects.watch(faults);
  const statusOf = () => scheduler.status();
  const metrics = createWorkerMetrics(statusOf, faults);
  const engineConfig = worker.engine;
  const scheduler: WorkerEngine & Partial<Pick<OpenAiEngine, 'waitServing'>> =
    engineConfig.kind === 'openai'
      ? new OpenAiEngine({
          worker,
          engine: engineConfig,
          faults,
          random: mulberry32(seed),
          plantedSlowdown: () => defects.slowdown(),
          observer: metrics.observer,
          env: options.env,
        })
      : new Scheduler({
          worker,
          faults,
          random: mulberry32(seed),
          plantedSlowdown: () => defects.slowdown(),
          gpuIndex: settings.gpuIndex,
          clock: options.clock,
          observer: metrics.observer,
        });
  let ready = settings.startReady;
  let draining = false;
  let closing: Promise<void> | undefined;

  const status = (): WorkerStatus => ({
    id: settings.id,
    node: settings.node,
    engine: engineConfig.kind,
    ...scheduler.status(),
    faults: faults.snapshot(),
    draining,
  });

  const refusing = () => draining || closing !== undefined;
  const running = new Map<string, BatchHandle>();
  const sendStatus: RouteHandler = (_req, res) => sendJson(res, 200, status());
  const routes: Routes = {
    ...probeRoutes({
      health: () => ({ status: 200, body: { status: 'ok' } }),
      ready: () => {
        const isReady = ready && !refusing();
        return {
          status: isReady ? 200 : 503,
          body: { status: isReady ? 'ready' : draining ? 'draining' : 'not_ready' },
        };
      },
      registry: metrics.registry,
    }),
    '/v1/status': { GET: sendStatus, HEAD: sendStatus },
    '/v1/batch': {
      POST: batchRoute({
        workerId: settings.id,
        maxBodyBytes: settings.maxBodyBytes,
        scheduler,
        metrics,
        refusing,
        running,
        neverAnswers: () => defects.neverAnswers(),
      }),
    },
    '/v1/cancel': { POST: cancelRoute({ maxBodyBytes: settings.maxBodyBytes, running }) },
    '/admin/faults': { '*': faultAdminRoute({ faults, adminTokens, onCrash, log }) },
  };
  const service = await startHttpService({
    host: settings.host,
    port: settings.port,
    handle: routeRequest(routes, {
      notFound: (req, res, path) => {
        req.resume();
        sendJson(res, 404, workerError('not_found', `no ${req.method ?? 'GET'} ${path}`));
      },
      methodNotAllowed: (req, res, path, allowed) => {
        // Only the batch route answers 405; elsewhere an unknown method is an unknown route.
        if (path !== '/v1/batch') {
          sendJson(res, 404, workerError('not_found', `no ${req.method ?? 'GET'} ${path}`));
          return;
        }
        sendJson(res, 405, workerError('method_not_allowed', `use ${allowed.join(', ')}`), {
          allow: allowed.join(', '),
        });
      },
    }),
    onError: (req, res, error) => {
      log(`request ${req.method} ${req.url} failed: ${error.message}`);
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, { code: 'internal', message: error.message });
      else res.destroy();
    },
    // Responses just ended get a moment to flush; connections still open after that are cut.
    closeGraceMs: 1_000,
  });
  const { url, port } = service;

  async function drain(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    draining = true;
    const idle = scheduler.drain();
    if (!Number.isFinite(timeoutMs)) return idle;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([idle, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      log(`drain timed out after ${timeoutMs} ms; failing the sequences left`);
      scheduler.failAll('draining', `worker drain timed out after ${timeoutMs} ms`);
    }
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      scheduler.close();
      await service.close();
    })();
    return closing;
  }

  return {
    url,
    port,
    engine: scheduler,
    faults,
    defects,
    registry: metrics.registry,
    worker,
    status,
    engineServing: async (signal) => {
      await scheduler.waitServing?.(log, signal);
    },
    setReady(value) {
      ready = value;
    },
    drain,
    close,
    [Symbol.asyncDispose]: close,
  };
}
