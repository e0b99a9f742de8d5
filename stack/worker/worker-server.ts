import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { type WorkerConfig, workerSchema } from '../../core/config/cluster-config.js';
import { headers } from '../protocol/headers.js';
import { hashSeed } from '../protocol/tokens.js';
import type { BatchRequest, WorkerErrorCode } from '../protocol/worker-api.js';
import { BodyTooLargeError, hasBearer, readBody, sendJson } from '../runtime/http-util.js';
import { serveMetrics } from '../runtime/metrics-endpoint.js';
import { FaultState, gpuFaultsSchema, seededRandom } from './fault-state.js';
import { type BatchSink, Scheduler, type SchedulerClock } from './scheduler.js';
import { createWorkerMetrics } from './worker-metrics.js';

/**
 * The simulated GPU worker's HTTP surface (node:http): `POST /v1/batch` streams NDJSON WorkerEvents,
 * health, readiness, metrics and status endpoints, and the token-protected fault admin API.
 */

export const batchRequestSchema = z.object({
  batchId: z.string().min(1).max(200),
  items: z
    .array(
      z
        .object({
          id: z.string().min(1).max(256),
          promptTokens: z.number().int().min(1).max(10_000_000),
          maxTokens: z.number().int().min(1).max(1_000_000),
          seed: z
            .number()
            .int()
            .min(0)
            .max(2 ** 32 - 1),
          resumeFrom: z.number().int().min(0).max(1_000_000).optional(),
        })
        .refine((item) => (item.resumeFrom ?? 0) < item.maxTokens, {
          message: 'resumeFrom must be below maxTokens',
          path: ['resumeFrom'],
        }),
    )
    .min(1)
    .max(4096),
});

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
  /** The cluster seed; with the worker id it seeds the fault PRNG. */
  seed?: number;
  /** Whether /readyz answers 200 from the start; main.ts starts unready and calls setReady once registered. */
  startReady?: boolean;
  maxBodyBytes?: number;
  clock?: SchedulerClock;
  /** What `crash` does after its 202 is sent; SIGKILL of this process unless given (tests pass a stub). */
  onCrash?: () => void;
  log?: (message: string) => void;
}

export interface WorkerStatus {
  id: string;
  node: string;
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
  readonly scheduler: Scheduler;
  readonly faults: FaultState;
  readonly registry: Registry;
  readonly worker: WorkerConfig;
  status(): WorkerStatus;
  setReady(ready: boolean): void;
  /**
   * Stops taking batches (/readyz 503, /v1/batch 503) and resolves when every sequence in flight is done.
   * After `timeoutMs` the remaining sequences fail with `draining` instead.
   */
  drain(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const killSelf = () => {
  process.kill(process.pid, 'SIGKILL');
};

function errorBody(
  code: WorkerErrorCode | 'not_found' | 'method_not_allowed' | 'unauthorized',
  message: string,
) {
  return { code, message };
}

function listeningUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

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
  const statusOf = () => scheduler.status();
  const metrics = createWorkerMetrics(statusOf, faults);
  const scheduler = new Scheduler({
    worker,
    faults,
    random: seededRandom((settings.seed ^ hashSeed(settings.id)) >>> 0),
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
    ...scheduler.status(),
    faults: faults.snapshot(),
    draining,
  });

  async function handleBatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readBody(req, settings.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(res, 413, errorBody('bad_request', error.message), { connection: 'close' });
        return;
      }
      throw error;
    }
    let request: BatchRequest;
    try {
      const parsed = batchRequestSchema.safeParse(JSON.parse(raw.toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        sendJson(res, 400, errorBody('bad_request', `${where}${issue?.message ?? 'invalid batch'}`));
        return;
      }
      request = parsed.data;
    } catch {
      sendJson(res, 400, errorBody('bad_request', 'body is not JSON'));
      return;
    }
    if (draining || closing) {
      metrics.rejected('draining', request.items.length);
      sendJson(res, 503, errorBody('draining', 'worker is draining; send this batch elsewhere'));
      return;
    }
    if (res.destroyed) return;
    res.writeHead(200, {
      'content-type': 'application/x-ndjson',
      'cache-control': 'no-store',
      [headers.workerId]: settings.id,
    });
    res.flushHeaders();
    metrics.batchAccepted();
    let ended = false;
    const sink: BatchSink = {
      write: (line) => {
        res.write(line);
      },
      end: () => {
        ended = true;
        res.end();
      },
    };
    const handle = scheduler.submit(request.items, sink);
    // The batcher went away (or timed out on us): its sequences stop and their KV is freed.
    res.on('close', () => {
      if (!ended) handle.cancel();
    });
  }

  async function handleFaults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hasBearer(req, adminTokens)) {
      req.resume();
      sendJson(
        res,
        401,
        errorBody('unauthorized', 'admin endpoints need Authorization: Bearer <admin token>'),
        {
          'www-authenticate': 'Bearer',
        },
      );
      return;
    }
    if (req.method === 'GET') {
      sendJson(res, 200, faults.snapshot());
      return;
    }
    if (req.method === 'DELETE') {
      req.resume();
      faults.clear();
      log('faults cleared');
      sendJson(res, 200, faults.snapshot());
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, errorBody('method_not_allowed', 'use GET, POST or DELETE'), {
        allow: 'GET, POST, DELETE',
      });
      return;
    }
    let body: unknown;
    try {
      const raw = await readBody(req, 64 * 1024);
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      sendJson(res, 400, errorBody('bad_request', 'body must be a JSON GpuFaults object of at most 64 KiB'));
      return;
    }
    const parsed = gpuFaultsSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      sendJson(res, 400, errorBody('bad_request', `${where}${issue?.message ?? 'invalid faults'}`));
      return;
    }
    if (parsed.data.crash) {
      log('fault injected: crash; killing the process');
      res.on('finish', () => setImmediate(onCrash));
      sendJson(res, 202, { crashing: true });
      return;
    }
    const active = faults.merge(parsed.data);
    log(`faults now ${JSON.stringify(active)}`);
    sendJson(res, 200, active);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const method = req.method ?? 'GET';
    if (path === '/v1/batch') {
      if (method === 'POST') return handleBatch(req, res);
      req.resume();
      sendJson(res, 405, errorBody('method_not_allowed', 'use POST'), { allow: 'POST' });
      return;
    }
    if (path === '/admin/faults') return handleFaults(req, res);
    if (method !== 'GET' && method !== 'HEAD') {
      req.resume();
      sendJson(res, 404, errorBody('not_found', `no ${method} ${path}`));
      return;
    }
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const isReady = ready && !draining && !closing;
        sendJson(res, isReady ? 200 : 503, {
          status: isReady ? 'ready' : draining ? 'draining' : 'not_ready',
        });
        return;
      }
      case '/metrics':
        await serveMetrics(res, metrics.registry);
        return;
      case '/v1/status':
        sendJson(res, 200, status());
        return;
      default:
        sendJson(res, 404, errorBody('not_found', `no ${method} ${path}`));
    }
  }

  // Connections and their responses in progress, so close() can cut idle connections at once (Node's own
  // closeIdleConnections misses a connection on which no request has arrived yet).
  const connections = new Set<Socket>();
  const activeResponses = new Map<Socket, number>();
  const server = createServer({ noDelay: true }, (req, res) => {
    const socket = req.socket;
    activeResponses.set(socket, (activeResponses.get(socket) ?? 0) + 1);
    res.once('close', () => activeResponses.set(socket, (activeResponses.get(socket) ?? 1) - 1));
    handle(req, res).catch((error: Error) => {
      log(`request ${req.method} ${req.url} failed: ${error.message}`);
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, { code: 'internal', message: error.message });
      else res.destroy();
    });
  });

  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => {
      connections.delete(socket);
      activeResponses.delete(socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = listeningUrl(settings.host, port);

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
      await new Promise<void>((resolve) => {
        // Responses just ended get a moment to flush; connections still open after that are cut.
        const force = setTimeout(() => server.closeAllConnections(), 1_000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        for (const socket of connections) if (!activeResponses.get(socket)) socket.destroy();
      });
    })();
    return closing;
  }

  return {
    url,
    port,
    scheduler,
    faults,
    registry: metrics.registry,
    worker,
    status,
    setReady(value) {
      ready = value;
    },
    drain,
    close,
    [Symbol.asyncDispose]: close,
  };
}
