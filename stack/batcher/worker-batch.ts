import type { Dispatcher } from 'undici';
import {
  type BatchItem,
  retryableWorkerErrors,
  type WorkerErrorCode,
  type WorkerEvent,
} from '../protocol/worker-api.js';
import type { DoneSummary, PendingRequest, RequestAttempt } from './pending-request.js';
import type { WorkerState } from './worker-set.js';

export interface AttemptFailure {
  /** Names the cause, for the client's error message. */
  cause: string;
  /** Whether another worker may try, provided the request has no token yet. */
  retryable: boolean;
  /** The worker's GPU failed (CUDA error, out of memory): a sign of a sick worker, not of one request. */
  gpuFault?: boolean;
}

/** What a batch reports; the scheduler decides what each means for the client and the worker's health. */
export interface BatchEvents {
  firstToken(batch: WorkerBatch, request: PendingRequest): void;
  itemDone(batch: WorkerBatch, request: PendingRequest, done: DoneSummary): void;
  itemFailed(batch: WorkerBatch, request: PendingRequest, failure: AttemptFailure): void;
  /** The worker sent a well-formed line: it is alive. */
  workerAnswered(batch: WorkerBatch): void;
  /** A connection-level failure or a first-token timeout: counts towards ejection. */
  workerFailed(batch: WorkerBatch, cause: string): void;
  slotsReleased(batch: WorkerBatch, count: number): void;
  ended(batch: WorkerBatch): void;
}

/** Error codes of a dead or unreachable worker process, as opposed to an answer from a live one. */
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const maxLineChars = 4 * 1024 * 1024;
const maxErrorBodyChars = 1024;

/**
 * One attempt of a set of requests on one worker: `POST /v1/batch`, the NDJSON answer split into lines and
 * demultiplexed to the requests, a first-token deadline, and an abort when every request is gone.
 */
export class WorkerBatch implements RequestAttempt {
  readonly dispatchedAtMs = performance.now();
  readonly requests = new Map<string, PendingRequest>();
  private size = 0;
  private cancelledCount = 0;
  private readonly controller = new AbortController();
  private firstTokenTimer: NodeJS.Timeout | undefined;
  private remainder = '';
  private answered = false;
  private done = false;

  constructor(
    readonly id: string,
    readonly worker: WorkerState,
    private readonly dispatcher: Dispatcher,
    private readonly events: BatchEvents,
    private readonly firstTokenTimeoutMs: number,
  ) {}

  get workerId(): string {
    return this.worker.id;
  }

  /** Requests in the batch as dispatched. */
  get batchSize(): number {
    return this.size;
  }

  /** Adds a request before start; false when its id is already in this batch (the worker keys by id). */
  add(request: PendingRequest): boolean {
    if (this.requests.has(request.item.id)) return false;
    this.requests.set(request.item.id, request);
    request.attempt = this;
    this.size++;
    return true;
  }

  start(): void {
    const items: BatchItem[] = [];
    for (const request of this.requests.values()) items.push(request.item);
    this.firstTokenTimer = setTimeout(() => this.onFirstTokenTimeout(), this.firstTokenTimeoutMs);
    this.dispatcher
      .request({
        origin: this.worker.origin,
        path: `${this.worker.basePath}/v1/batch`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ batchId: this.id, items }),
        signal: this.controller.signal,
      })
      .then(
        (response) => this.onResponse(response),
        (error: unknown) => this.onError(error),
      );
  }

  /**
   * The client of `request` is gone: stop forwarding it. When every request of the batch is gone the
   * connection closes (the worker drops them all); otherwise the worker is asked to drop this one
   * (`POST /v1/cancel`), and its slot frees when the worker's `cancelled` line arrives, or at the batch's end
   * should the cancel itself fail.
   */
  cancel(request: PendingRequest): void {
    if (this.done || this.requests.get(request.item.id) !== request) return;
    this.cancelledCount++;
    if (this.cancelledCount >= this.requests.size) {
      this.abort();
      return;
    }
    this.dispatcher
      .request({
        origin: this.worker.origin,
        path: `${this.worker.basePath}/v1/cancel`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ batchId: this.id, ids: [request.item.id] }),
      })
      .then(
        (response) => response.body.dump(),
        () => {
          // The worker is gone or slow: the batch's own failure or end frees the slot anyway.
        },
      );
  }

  /** Ends the attempt now (nobody is listening, or the batcher closes); remaining requests fail. */
  abort(failure?: AttemptFailure): void {
    if (this.done) return;
    this.finishBatch();
    this.controller.abort();
    this.failRemaining(failure ?? { cause: 'batch aborted', retryable: false });
  }

  private onResponse(response: Dispatcher.ResponseData): void {
    const { body } = response;
    if (this.done) {
      body.destroy();
      return;
    }
    body.setEncoding('utf8');
    if (response.statusCode !== 200) {
      this.readErrorBody(response.statusCode, body);
      return;
    }
    body.on('data', (chunk: string) => this.onChunk(chunk));
    body.on('end', () => this.onEnd());
    body.on('error', (error: Error) => this.onError(error));
  }

  private readErrorBody(status: number, body: Dispatcher.ResponseData['body']): void {
    let text = '';
    const finish = () => {
      if (this.done) return;
      this.finishBatch();
      const detail = text.trim().slice(0, 200);
      this.failRemaining({ cause: `HTTP ${status}${detail ? ` ${detail}` : ''}`, retryable: true });
    };
    body.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > maxErrorBodyChars) {
        body.destroy();
        finish();
      }
    });
    body.on('end', finish);
    body.on('error', finish);
  }

  private onChunk(chunk: string): void {
    if (this.done) return;
    const text = this.remainder.length > 0 ? this.remainder + chunk : chunk;
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      if (newline > start) this.onLine(text.slice(start, newline));
      if (this.done) return;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.remainder = start < text.length ? text.slice(start) : '';
    if (this.remainder.length > maxLineChars) {
      this.abort({ cause: `worker sent a line longer than ${maxLineChars} characters`, retryable: true });
      return;
    }
    // One write per request per received chunk: the tokens of one tick become one line.
    for (const request of this.requests.values()) request.flush();
  }

  private onLine(line: string): void {
    let event: WorkerEvent;
    try {
      event = JSON.parse(line) as WorkerEvent;
    } catch {
      return;
    }
    if (!this.answered) {
      this.answered = true;
      this.events.workerAnswered(this);
    }
    switch (event.t) {
      case 'step':
        for (const [id, token, text] of event.tokens) {
          const request = this.requests.get(id);
          if (request === undefined || request.cancelled) continue;
          if (!request.hasTokens) {
            request.hasTokens = true;
            this.events.firstToken(this, request);
          }
          request.pushToken(token, text);
        }
        break;
      case 'done': {
        const request = this.detach(event.id);
        if (request) this.events.itemDone(this, request, event);
        break;
      }
      case 'err': {
        const request = this.detach(event.id);
        if (request) {
          const retryable = retryableWorkerErrors.has(event.code as WorkerErrorCode);
          const gpuFault = event.code === 'gpu_oom' || event.code === 'gpu_error';
          this.events.itemFailed(this, request, {
            cause: `${event.code}: ${event.message}`,
            retryable,
            gpuFault,
          });
        }
        break;
      }
    }
    if (this.requests.size === 0) this.finishBatch();
    else if (this.cancelledCount >= this.requests.size) this.abort();
  }

  private onEnd(): void {
    if (this.done) return;
    if (this.remainder.length > 0) {
      const last = this.remainder;
      this.remainder = '';
      this.onLine(last);
      if (this.done) return;
    }
    this.finishBatch();
    this.failRemaining({ cause: 'worker stream ended without done', retryable: true });
  }

  private onError(error: unknown): void {
    if (this.done) return;
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    const cause = typeof code === 'string' ? `${code}: ${message}` : message;
    this.finishBatch();
    if (typeof code === 'string' && connectionErrorCodes.has(code)) this.events.workerFailed(this, cause);
    this.failRemaining({ cause, retryable: true });
  }

  private onFirstTokenTimeout(): void {
    this.firstTokenTimer = undefined;
    if (this.done) return;
    const late: PendingRequest[] = [];
    for (const request of this.requests.values()) if (!request.hasTokens) late.push(request);
    if (late.length === 0) return;
    const cause = `no first token within ${this.firstTokenTimeoutMs} ms`;
    this.events.workerFailed(this, cause);
    if (late.length === this.requests.size) {
      this.abort({ cause, retryable: true });
      return;
    }
    // Others of this batch are streaming: keep the connection, give the late ones up to another worker.
    for (let i = late.length - 1; i >= 0; i--) {
      const request = late[i] as PendingRequest;
      if (this.detach(request.item.id)) this.events.itemFailed(this, request, { cause, retryable: true });
    }
    if (this.cancelledCount >= this.requests.size) this.abort();
  }

  /** Takes a request out of this batch and frees its slot; undefined when it was cancelled meanwhile. */
  private detach(id: string): PendingRequest | undefined {
    const request = this.requests.get(id);
    if (!request) return undefined;
    this.requests.delete(id);
    request.attempt = undefined;
    this.events.slotsReleased(this, 1);
    if (request.cancelled) {
      this.cancelledCount--;
      return undefined;
    }
    return request;
  }

  /** Fails every request still here, last first, so that re-queueing at the front keeps their order. */
  private failRemaining(failure: AttemptFailure): void {
    const remaining = [...this.requests.values()];
    for (let i = remaining.length - 1; i >= 0; i--) {
      const request = remaining[i] as PendingRequest;
      if (this.detach(request.item.id)) this.events.itemFailed(this, request, failure);
    }
  }

  private finishBatch(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.firstTokenTimer);
    this.events.ended(this);
  }
}
