import type { ServerResponse } from 'node:http';
import type { BatcherErrorCode, SubmitRequest } from '../protocol/batcher-api.js';
import type { BatchItem } from '../protocol/worker-api.js';
import type { QueueNode } from './request-queue.js';

/** The running attempt a request belongs to, as far as a cancel needs to know. */
export interface RequestAttempt {
  readonly workerId: string;
  cancel(request: PendingRequest): void;
}

export interface DoneSummary {
  promptTokens: number;
  completionTokens: number;
  finishReason: 'length' | 'stop';
}

/**
 * One admitted submit: its place in the queue, its attempts, and its answer to the gateway. Nothing is
 * written before the first token (or an error status); stream tokens are buffered and written once per
 * received worker chunk, so the tokens of one tick go out as one line. A non-stream answer is written only
 * at done, so until then a failed attempt can still move to another worker.
 */
export class PendingRequest implements QueueNode<PendingRequest> {
  queuePrev: PendingRequest | undefined;
  queueNext: PendingRequest | undefined;
  inQueue = false;

  readonly item: BatchItem;
  readonly stream: boolean;
  /** Attempts dispatched so far. */
  attempts = 0;
  /** Workers whose attempt failed; the next attempt prefers any other. */
  failedWorkers: string[] | undefined;
  attempt: RequestAttempt | undefined;
  /** Enqueue to dispatch of the attempt that produced the first token. */
  queueMs = 0;
  /** True once the current attempt produced a token. */
  hasTokens = false;
  /** The client has its final answer, or is gone. */
  settled = false;
  cancelled = false;
  private readonly tokens: number[] = [];
  /** The tokens' text, parallel to `tokens`, once a real engine's worker sent any (the simulated GPU sends ids). */
  private texts: string[] | undefined;
  private tokenCount = 0;
  private head: Record<string, string> | undefined;

  constructor(
    request: SubmitRequest,
    private readonly res: ServerResponse,
    readonly enqueuedAtMs: number,
  ) {
    this.item = {
      id: request.id,
      promptTokens: request.promptTokens,
      maxTokens: request.maxTokens,
      seed: request.seed,
      ...(request.resumeFrom ? { resumeFrom: request.resumeFrom } : {}),
      ...(request.prefixHashes && request.prefixHashes.length > 0
        ? { prefixHashes: request.prefixHashes }
        : {}),
      ...(request.prompt !== undefined ? { prompt: request.prompt } : {}),
      ...(request.messages !== undefined ? { messages: request.messages } : {}),
    };
    this.stream = request.stream;
  }

  get completionTokens(): number {
    return this.tokenCount;
  }

  /** Something reached the client: from now on there is no retry, only the rest of the answer or a cut. */
  get committed(): boolean {
    return this.res.headersSent;
  }

  /** At the first token: the 200 head with the evidence of this attempt; a stream sends it now. */
  start(head: Record<string, string>): void {
    if (this.res.headersSent) return; // a migrated stream keeps the head its first attempt sent
    this.head = head;
    if (this.stream) this.res.writeHead(200, head);
  }

  /** After a mid-stream worker failure: the next attempt continues from the tokens already delivered. */
  prepareResume(): void {
    this.flush();
    this.hasTokens = false;
    this.item.resumeFrom = this.tokenCount;
  }

  /** Forgets a failed attempt's tokens before the request goes to another worker. */
  resetAttempt(): void {
    this.hasTokens = false;
    this.tokens.length = 0;
    this.texts = undefined;
    this.tokenCount = 0;
    this.head = undefined;
  }

  pushToken(token: number, text?: string): void {
    if (text !== undefined) {
      // Tokens before the first text (none, unless workers of both kinds served one request) read as empty.
      this.texts ??= this.tokens.map(() => '');
      this.texts.push(text);
    } else this.texts?.push('');
    this.tokens.push(token);
    this.tokenCount++;
  }

  private textsField(): string {
    return this.texts ? `,"s":${JSON.stringify(this.texts)}` : '';
  }

  /** Writes the buffered stream tokens as one line. */
  flush(): void {
    if (!this.stream || this.tokens.length === 0 || this.settled) return;
    this.res.write(`{"t":"tok","k":[${this.tokens.join(',')}]${this.textsField()}}\n`);
    this.tokens.length = 0;
    if (this.texts) this.texts.length = 0;
  }

  finish(done: DoneSummary): void {
    if (this.settled) return;
    if (!this.res.headersSent && this.head) this.res.writeHead(200, this.head);
    this.flush();
    const line = JSON.stringify({
      t: 'done',
      promptTokens: done.promptTokens,
      completionTokens: done.completionTokens,
      finishReason: done.finishReason,
      ...(this.stream ? {} : { k: this.tokens, ...(this.texts ? { s: this.texts } : {}) }),
    });
    this.res.end(`${line}\n`);
  }

  /** Ends a started answer with a final error line: the client already has tokens, so no retry. */
  cut(message: string): void {
    if (this.settled) return;
    this.flush();
    this.res.end(`${JSON.stringify({ t: 'err', code: 'stream_cut', message })}\n`);
  }

  /** Answers with an error status; only possible before the first token. */
  reject(
    status: number,
    code: BatcherErrorCode,
    message: string,
    extraHeaders: Record<string, string> = {},
  ): void {
    if (this.settled) return;
    if (this.res.headersSent) {
      // Too late for a status: end the started answer the only way left.
      this.cut(`${code}: ${message}`);
      return;
    }
    const payload = JSON.stringify({ error: { code, message } });
    this.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...extraHeaders,
    });
    this.res.end(payload);
  }
}
