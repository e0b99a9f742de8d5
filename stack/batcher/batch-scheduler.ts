import type { ServerResponse } from 'node:http';
import { Agent } from 'undici';
import type { BatcherConfig } from '../../core/config/cluster-config.js';
import type { SubmitRequest } from '../protocol/batcher-api.js';
import { headers } from '../protocol/headers.js';
import type { WorkerRecord } from '../protocol/registry-keys.js';
import type { RecordSource } from '../runtime/registry-view.js';
import type { BatcherMetrics, RequestOutcome } from './batcher-metrics.js';
import type { DoneSummary } from './pending-request.js';
import { PendingRequest } from './pending-request.js';
import type { BatcherDefects } from './planted-defects.js';
import { RateMeter } from './rate-meter.js';
import { RequestQueue } from './request-queue.js';
import { type AttemptFailure, type BatchEvents, WorkerBatch } from './worker-batch.js';
import { WorkerSet, type WorkerState } from './worker-set.js';

export interface BatchSchedulerOptions {
  id: string;
  config: BatcherConfig;
  /** How long the batcher may have no live worker before it answers 503 no_workers. */
  noWorkersGraceMs: number;
  metrics: BatcherMetrics;
  log: (message: string) => void;
  /** Planted damage for verdict tests (stack/README.md, "Defect switches"); none unless given. */
  defects?: BatcherDefects;
}

export type AdmitResult =
  | { ok: true }
  | { ok: false; status: number; code: 'queue_full' | 'no_workers' | 'draining'; retryAfterS?: number };

export interface WorkerStatus {
  id: string;
  url: string;
  state: WorkerRecord['state'];
  registered: boolean;
  live: boolean;
  inFlight: number;
  freeSlots: number;
  consecutiveFailures: number;
  ejected: boolean;
  ejectedSince?: number;
  ejectedUntil?: number;
  ejectCause?: string;
}

export interface SchedulerStatus {
  queueDepth: number;
  openRequests: number;
  inFlightSequences: number;
  liveWorkers: number;
  /** Epoch ms since when no worker has been live; absent while one is. */
  noWorkersSince?: number;
  workers: WorkerStatus[];
  ejected: Array<{ id: string; since: number; until: number; cause: string }>;
}

/** Longest walk over the queue when skipping requests that should avoid a worker. */
const maxSkipsPerBatch = 1024;

/**
 * The dynamic batcher's core: a bounded FIFO, per-worker slot budgets, batch formation (full batch or
 * max_batch_delay_ms), dispatch, re-dispatch before the first token, and worker ejection. Event-driven:
 * it runs on enqueue, completion, worker change and its one timer, never by polling.
 */
export class BatchScheduler implements BatchEvents {
  private readonly queue = new RequestQueue<PendingRequest>();
  private readonly workers: WorkerSet;
  private readonly agent: Agent;
  private readonly batches = new Set<WorkerBatch>();
  private readonly drainRate = new RateMeter(5);
  private readonly config: BatcherConfig;
  private readonly batcherId: string;
  private openRequests = 0;
  private batchSeq = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadlineMs = Number.POSITIVE_INFINITY;
  private noWorkersSinceMs: number | undefined;
  private noWorkersSinceEpoch: number | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private draining = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: BatchSchedulerOptions) {
    this.config = options.config;
    this.batcherId = options.id;
    this.workers = new WorkerSet({
      slotsPerWorker: this.config.max_batch_size,
      ejectAfterFailures: this.config.worker_eject_after_failures,
      ejectMs: this.config.worker_eject_ms,
      log: options.log,
      onChange: () => this.onWorkersChanged(),
      onEject: (workerId) => options.metrics.ejection(workerId),
      neverEject: options.defects?.ejectionDisabled ?? false,
      onReturn: (workerId) => options.defects?.noteWorkerReturned(workerId),
    });
    const stallMs = this.config.first_token_timeout_ms;
    this.agent = new Agent({
      // A batch holds one connection for its whole stream; a worker has at most max_batch_size batches.
      connections: this.config.max_batch_size + 4,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: stallMs + 1_000,
      // A stream silent this long is a hung worker; the client gets stream_cut instead of waiting forever.
      bodyTimeout: stallMs,
      connect: { timeout: Math.min(stallMs, 5_000) },
    });
    this.updateLiveness();
  }

  attach(source: RecordSource<WorkerRecord>): void {
    this.workers.attach(source);
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  get inFlightSequences(): number {
    return this.workers.inFlightTotal();
  }

  get liveWorkers(): number {
    return this.workers.liveCount();
  }

  /** Admits a submit or says why not; an admitted request owns `res` until it settles. */
  submit(request: SubmitRequest, res: ServerResponse): AdmitResult {
    if (this.draining || this.closed) return { ok: false, status: 503, code: 'draining' };
    const now = performance.now();
    if (this.noWorkersSinceMs !== undefined && now - this.noWorkersSinceMs >= this.options.noWorkersGraceMs) {
      return { ok: false, status: 503, code: 'no_workers' };
    }
    if (this.queue.length >= this.config.max_queue) {
      return { ok: false, status: 429, code: 'queue_full', retryAfterS: this.retryAfterS() };
    }
    const pending = new PendingRequest(request, res, now);
    this.openRequests++;
    this.queue.pushBack(pending);
    res.once('close', () => this.cancel(pending));
    this.requestSchedule();
    return { ok: true };
  }

  /** Seconds until the queue has room, from the recent drain rate; at least 1. */
  retryAfterS(): number {
    const rate = this.drainRate.perSecond();
    if (rate <= 0) return 1;
    // The time the current backlog takes to drain: retries spread over it instead of arriving at once.
    return Math.min(60, Math.max(1, Math.ceil(this.queue.length / rate)));
  }

  /** Stops admitting; resolves when every admitted request has settled, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    if (this.openRequests === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get isDraining(): boolean {
    return this.draining;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.draining = true;
    if (this.scheduled) clearImmediate(this.scheduled);
    clearTimeout(this.timer);
    clearTimeout(this.graceTimer);
    for (let request = this.queue.shift(); request; request = this.queue.shift()) {
      this.rejectRequest(request, 503, 'draining', 'batcher is shutting down', 'rejected');
    }
    for (const batch of [...this.batches]) {
      batch.abort({ cause: 'batcher is shutting down', retryable: false });
    }
    this.workers.close();
    this.agent.destroy().catch(() => {});
    this.notifyIdle();
  }

  status(): SchedulerStatus {
    const workers: WorkerStatus[] = [];
    const ejected: SchedulerStatus['ejected'] = [];
    for (const worker of this.workers.all()) {
      const status: WorkerStatus = {
        id: worker.id,
        url: worker.record.url,
        state: worker.record.state,
        registered: worker.registered,
        live: this.workers.isLive(worker),
        inFlight: worker.inFlight,
        freeSlots: this.workers.freeSlots(worker),
        consecutiveFailures: worker.consecutiveFailures,
        ejected: worker.ejectedUntilMs !== undefined,
      };
      if (worker.ejectedAtMs !== undefined && worker.ejectedUntilMs !== undefined) {
        status.ejectedSince = worker.ejectedAtMs;
        status.ejectedUntil = worker.ejectedUntilMs;
        status.ejectCause = worker.ejectCause ?? '';
        ejected.push({
          id: worker.id,
          since: worker.ejectedAtMs,
          until: worker.ejectedUntilMs,
          cause: worker.ejectCause ?? '',
        });
      }
      workers.push(status);
    }
    workers.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const status: SchedulerStatus = {
      queueDepth: this.queue.length,
      openRequests: this.openRequests,
      inFlightSequences: this.workers.inFlightTotal(),
      liveWorkers: this.workers.liveCount(),
      workers,
      ejected,
    };
    if (this.noWorkersSinceEpoch !== undefined) status.noWorkersSince = this.noWorkersSinceEpoch;
    return status;
  }

  // ---- batch events ----

  firstToken(batch: WorkerBatch, request: PendingRequest): void {
    const queueMs = batch.dispatchedAtMs - request.enqueuedAtMs;
    request.queueMs = queueMs;
    // A non-stream attempt may still fail and move; its wait counts once, when its answer is sent.
    if (request.stream) this.options.metrics.queueWaitSeconds.observe(queueMs / 1000);
    request.start({
      'content-type': 'application/x-ndjson',
      [headers.requestId]: request.item.id,
      [headers.queueMs]: queueMs.toFixed(1),
      [headers.batchSize]: String(batch.batchSize),
      [headers.workerId]: batch.workerId,
      [headers.batcherId]: this.batcherId,
      [headers.attempts]: String(request.attempts),
    });
  }

  itemDone(batch: WorkerBatch, request: PendingRequest, done: DoneSummary): void {
    if (request.settled) return;
    if (this.options.defects?.failsAnswer()) {
      const cause = 'planted defect batcher_fail_share_after_return';
      // A stream already under way is cut. An answer not yet started is a 500, the batcher's own error:
      // a 502 would read as a worker failure, which the gateway retries on another batcher, and the
      // client would never see the damage this switch plants.
      if (request.committed) this.itemFailed(batch, request, { cause, retryable: false });
      else
        this.rejectRequest(request, 500, 'planted_defect', `${cause} failed this answer`, 'planted_defect');
      return;
    }
    if (!request.hasTokens) {
      // Done without any step (no tokens at all): the answer still needs its head.
      request.hasTokens = true;
      this.firstToken(batch, request);
    }
    if (!request.stream) this.options.metrics.queueWaitSeconds.observe(request.queueMs / 1000);
    request.finish(done);
    this.settle(request, 'ok');
  }

  itemFailed(batch: WorkerBatch, request: PendingRequest, failure: AttemptFailure): void {
    if (request.settled) return;
    const workerId = batch.workerId;
    // A GPU fault answers 200 with per-sequence errors; without counting it the batcher would keep sending
    // work to a worker that fails all of it (gpu-oom would never be detected).
    if (failure.gpuFault) this.workers.recordFailure(batch.worker, failure.cause);
    const { enabled, max_attempts, resume_streams } = this.config.redispatch;
    if (request.committed) {
      const canResume = enabled && resume_streams && failure.retryable && request.attempts < max_attempts;
      if (!canResume || this.closed) {
        request.cut(`worker ${workerId} failed after ${request.completionTokens} token(s): ${failure.cause}`);
        this.settle(request, 'stream_cut');
        return;
      }
      // Migrate: the client keeps its stream; another worker continues from the last delivered token.
      if (!request.failedWorkers) request.failedWorkers = [workerId];
      else if (!request.failedWorkers.includes(workerId)) request.failedWorkers.push(workerId);
      request.prepareResume();
      this.queue.pushFront(request);
      this.options.metrics.redispatches.inc();
      this.options.metrics.streamsResumed.inc();
      this.requestSchedule();
      return;
    }
    if (failure.retryable && enabled && request.attempts < max_attempts && !this.closed) {
      if (!request.failedWorkers) request.failedWorkers = [workerId];
      else if (!request.failedWorkers.includes(workerId)) request.failedWorkers.push(workerId);
      request.resetAttempt();
      this.queue.pushFront(request);
      this.options.metrics.redispatches.inc();
      this.requestSchedule();
      return;
    }
    const attempts = `attempt ${request.attempts} of ${enabled ? max_attempts : 1}`;
    this.rejectRequest(
      request,
      502,
      'worker_failed',
      `worker ${workerId} failed: ${failure.cause} (${attempts})`,
      'worker_failed',
    );
  }

  workerAnswered(batch: WorkerBatch): void {
    this.workers.recordSuccess(batch.worker);
  }

  workerFailed(batch: WorkerBatch, cause: string): void {
    this.workers.recordFailure(batch.worker, cause);
  }

  slotsReleased(batch: WorkerBatch, count: number): void {
    this.workers.release(batch.worker, count);
    this.requestSchedule();
  }

  ended(batch: WorkerBatch): void {
    this.batches.delete(batch);
  }

  // ---- internals ----

  private cancel(request: PendingRequest): void {
    if (request.settled) return;
    request.cancelled = true;
    if (request.inQueue) this.queue.remove(request);
    else request.attempt?.cancel(request);
    this.settle(request, 'cancelled');
  }

  private rejectRequest(
    request: PendingRequest,
    status: number,
    code: 'draining' | 'no_workers' | 'worker_failed' | 'planted_defect',
    message: string,
    outcome: RequestOutcome,
  ): void {
    request.reject(status, code, message);
    this.settle(request, outcome);
  }

  private settle(request: PendingRequest, outcome: RequestOutcome): void {
    if (request.settled) return;
    request.settled = true;
    this.openRequests--;
    this.options.metrics.request(outcome);
    if (this.openRequests === 0) this.notifyIdle();
  }

  private notifyIdle(): void {
    if (!this.draining || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private onWorkersChanged(): void {
    this.updateLiveness();
    this.requestSchedule();
  }

  /** Tracks how long no worker has been live; past the grace, queued requests get 503 no_workers. */
  private updateLiveness(): void {
    if (this.closed) return;
    const live = this.workers.liveCount();
    if (live > 0) {
      if (this.noWorkersSinceMs !== undefined) {
        this.noWorkersSinceMs = undefined;
        this.noWorkersSinceEpoch = undefined;
        clearTimeout(this.graceTimer);
        this.graceTimer = undefined;
      }
      return;
    }
    if (this.noWorkersSinceMs !== undefined) return;
    this.noWorkersSinceMs = performance.now();
    this.noWorkersSinceEpoch = Date.now();
    this.graceTimer = setTimeout(() => this.onNoWorkersGraceOver(), this.options.noWorkersGraceMs);
  }

  private onNoWorkersGraceOver(): void {
    this.graceTimer = undefined;
    if (this.workers.liveCount() > 0) return;
    if (this.queue.length > 0) {
      this.options.log(
        `no live worker for ${this.options.noWorkersGraceMs} ms: failing ${this.queue.length} queued request(s)`,
      );
    }
    for (let request = this.queue.shift(); request; request = this.queue.shift()) {
      this.rejectRequest(request, 503, 'no_workers', 'no live worker', 'no_workers');
    }
  }

  private requestSchedule(): void {
    // Coalesce: everything that arrived in this turn of the event loop is batched together.
    if (this.scheduled || this.closed) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.schedule();
    });
  }

  private schedule(): void {
    const maxDelayMs = this.config.max_batch_delay_ms;
    const now = performance.now();
    // Each pass dispatches at least one request or stops, so the queue length bounds the loop.
    for (let pass = this.queue.length; pass > 0; pass--) {
      const head = this.queue.peek();
      if (!head) return;
      const worker = this.workers.pick(head.failedWorkers);
      if (!worker) return;
      const free = this.workers.freeSlots(worker);
      const waitedMs = now - head.enqueuedAtMs;
      if (this.queue.length < free && waitedMs < maxDelayMs) {
        this.armTimer(head.enqueuedAtMs + maxDelayMs);
        return;
      }
      this.dispatch(worker, free);
    }
  }

  private armTimer(deadlineMs: number): void {
    if (this.timer && this.timerDeadlineMs <= deadlineMs) return;
    clearTimeout(this.timer);
    this.timerDeadlineMs = deadlineMs;
    // Timers have 1 ms granularity; rounding up makes sure the oldest request has waited its delay.
    const delayMs = Math.max(1, Math.ceil(deadlineMs - performance.now()));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDeadlineMs = Number.POSITIVE_INFINITY;
      this.schedule();
    }, delayMs);
  }

  private dispatch(worker: WorkerState, free: number): void {
    const batch = new WorkerBatch(
      `${this.batcherId}-${++this.batchSeq}`,
      worker,
      this.agent,
      this,
      this.config.first_token_timeout_ms,
    );
    let skips = 0;
    let request = this.queue.peek();
    while (request && batch.batchSize < free) {
      const next = this.queue.after(request);
      const avoid = request.failedWorkers;
      const skip =
        avoid?.includes(worker.id) === true &&
        skips < maxSkipsPerBatch &&
        this.workers.hasAlternative(worker, avoid);
      if (skip) skips++;
      else if (batch.add(request)) {
        this.queue.remove(request);
        request.attempts++;
      } else if (++skips >= maxSkipsPerBatch) break;
      request = next;
    }
    const size = batch.batchSize;
    if (size === 0) return;
    this.workers.acquire(worker, size);
    this.options.metrics.batchSize.observe(size);
    this.drainRate.add(size);
    this.batches.add(batch);
    batch.start();
  }
}
