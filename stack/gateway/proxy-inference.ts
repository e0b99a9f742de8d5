import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Agent, Dispatcher } from 'undici';
import type { SubmitEvent, SubmitRequest } from '../protocol/batcher-api.js';
import { headers } from '../protocol/headers.js';
import type { BatcherRecord } from '../protocol/registry-keys.js';
import { tokenText } from '../protocol/tokens.js';
import { sendJson } from '../runtime/http-util.js';
import { ApiError, sendApiError } from './api-error.js';
import type { BatcherRouter } from './batcher-router.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { ndjsonEvents } from './ndjson-events.js';
import type { InferenceRequest } from './request-schemas.js';
import { type ResponseFormat, usageOf } from './response-formats.js';

export interface ProxyDeps {
  router: BatcherRouter;
  agent: Agent;
  metrics: GatewayMetrics;
  /** Send the prompt's text along: the workers front a real engine (config worker.engine). */
  carryPrompt: boolean;
}

export interface ProxyExchange {
  res: ServerResponse;
  route: string;
  requestId: string;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Aborted with `abortReasons.timeout` or `abortReasons.clientClosed`. */
  signal: AbortSignal;
}

export const abortReasons = { timeout: 'timeout', clientClosed: 'client_closed' } as const;

const copiedHeaders = [
  headers.queueMs,
  headers.batchSize,
  headers.workerId,
  headers.batcherId,
  headers.attempts,
] as const;

const sse = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
/** A real engine's worker sends each token's text (`texts`); the simulated GPU sends ids of its vocabulary. */
const tokensText = (tokenIds: readonly number[], texts?: readonly string[]) =>
  texts ? texts.join('') : tokenIds.map(tokenText).join('');

/**
 * Sends one inference request to a batcher and relays the answer. A batcher that refuses, breaks or answers
 * 502/503 before any byte reached the client is replaced by another (each batcher tried at most once);
 * 429 goes back to the client as it is, so that load shedding stays visible.
 */
export async function proxyInference(
  deps: ProxyDeps,
  exchange: ProxyExchange,
  request: InferenceRequest,
  format: ResponseFormat,
): Promise<void> {
  await new InferenceProxy(deps, exchange, request, format).run();
}

class InferenceProxy {
  private readonly res: ServerResponse;
  private readonly signal: AbortSignal;
  private readonly submit: SubmitRequest;
  private upstreamHeaders: Record<string, string> = {};
  private streamStarted = false;
  /** Tokens the client already has on a stream: where a migrated stream continues. */
  private delivered = 0;

  constructor(
    private readonly deps: ProxyDeps,
    private readonly exchange: ProxyExchange,
    private readonly request: InferenceRequest,
    private readonly format: ResponseFormat,
  ) {
    this.res = exchange.res;
    this.signal = exchange.signal;
    this.submit = {
      id: exchange.requestId,
      promptTokens: request.promptTokens,
      maxTokens: request.maxTokens,
      seed: request.seed,
      stream: request.stream,
      ...(request.prefixHashes.length > 0 ? { prefixHashes: request.prefixHashes } : {}),
      // A chat request's messages say everything its joined prompt does: one of the two travels.
      ...(deps.carryPrompt
        ? request.messages
          ? { messages: request.messages }
          : { prompt: request.promptText }
        : {}),
    };
  }

  private submitBody(): string {
    return JSON.stringify(this.delivered > 0 ? { ...this.submit, resumeFrom: this.delivered } : this.submit);
  }

  async run(): Promise<void> {
    const tried = new Set<string>();
    let lastError: ApiError | undefined;
    // Bounded: every pass adds a batcher to `tried`, and pick() never returns one from it.
    for (;;) {
      const batcher = this.deps.router.pick(tried);
      if (!batcher) {
        if (this.streamStarted) {
          // A stream whose batcher died and no other batcher left to continue it.
          if (!this.res.writableEnded)
            this.res.end(this.cutEvent('stream_cut', lastError?.message ?? 'stream lost'));
          return;
        }
        this.answerError(
          lastError ??
            new ApiError(503, 'server_error', 'no_batchers', 'No batcher is available to serve the request'),
        );
        return;
      }
      if (tried.size > 0) this.deps.metrics.retries.inc();
      if (this.streamStarted) this.deps.metrics.streamsResumed.inc();
      tried.add(batcher.id);
      this.deps.router.begin(batcher.id);
      try {
        lastError = await this.attempt(batcher);
      } finally {
        this.deps.router.end(batcher.id);
      }
      if (!lastError) return;
    }
  }

  /** Returns the error to retry on another batcher, or undefined when the client has its answer. */
  private async attempt(batcher: BatcherRecord): Promise<ApiError | undefined> {
    const { router } = this.deps;
    let response: Dispatcher.ResponseData;
    try {
      response = await this.deps.agent.request({
        ...submitTarget(batcher.url),
        method: 'POST',
        headers: { 'content-type': 'application/json', [headers.requestId]: this.exchange.requestId },
        body: this.submitBody(),
        signal: this.signal,
      });
    } catch (error) {
      if (this.signal.aborted) return this.aborted();
      router.recordFailure(batcher.id);
      return new ApiError(
        502,
        'server_error',
        'batcher_unreachable',
        `Batcher ${batcher.id} could not be reached: ${(error as Error).message}`,
      );
    }
    this.upstreamHeaders = pickHeaders(response.headers);
    const status = response.statusCode;
    if (status !== 200) {
      const upstream = await readUpstreamError(response);
      if (this.signal.aborted) return this.aborted();
      if (status >= 500) router.recordFailure(batcher.id);
      // A migrating stream already sent its head: any refusal just means "try the next batcher".
      if (this.streamStarted) return new ApiError(status, 'server_error', upstream.code, upstream.message);
      if (status === 502 || status === 503) {
        return new ApiError(status, 'server_error', upstream.code, upstream.message);
      }
      if (status === 429) {
        const retryAfter = response.headers['retry-after'];
        this.answerError(
          new ApiError(429, 'rate_limit_error', upstream.code, upstream.message, null, {
            'retry-after': typeof retryAfter === 'string' ? retryAfter : '1',
          }),
        );
      } else {
        const type = status >= 500 ? 'server_error' : 'invalid_request_error';
        this.answerError(new ApiError(status, type, upstream.code, upstream.message));
      }
      return undefined;
    }
    router.recordSuccess(batcher.id);
    return this.relay(batcher, response.body);
  }

  private async relay(batcher: BatcherRecord, body: Dispatcher.ResponseData['body']) {
    const collected: string[] = [];
    let finished = false;
    try {
      for await (const events of ndjsonEvents(body)) {
        // After `done` the rest of the body is read to its end so the connection can be reused.
        if (finished) continue;
        let out = '';
        for (const event of events) {
          if (event.t === 'tok') {
            if (this.request.stream) {
              out += this.startStream() + sse(this.format.delta(tokensText(event.k, event.s)));
              this.delivered += event.k.length;
            } else collected.push(tokensText(event.k, event.s));
          } else if (event.t === 'done') {
            finished = true;
            out += this.finish(event, collected);
            break;
          } else {
            if (!this.streamStarted) return upstreamEventError(event);
            finished = true;
            out += this.cutEvent(event.code, event.message);
            break;
          }
        }
        if (finished) {
          if (!this.res.writableEnded) this.res.end(out);
        } else if (out) {
          await this.write(out);
        }
      }
    } catch (error) {
      if (this.signal.aborted) return this.aborted();
      if (finished) return undefined;
      this.deps.router.recordFailure(batcher.id);
      const message = `The connection to batcher ${batcher.id} broke: ${(error as Error).message}`;
      // Before the first byte this is a plain retry; after it, run() migrates the stream to another batcher,
      // which continues from the tokens already delivered.
      return new ApiError(
        502,
        'server_error',
        this.streamStarted ? 'stream_cut' : 'batcher_connection_lost',
        message,
      );
    }
    if (finished) return undefined;
    const message = `Batcher ${batcher.id} ended its answer without finishing`;
    return new ApiError(502, 'server_error', 'stream_cut', message);
  }

  /** The end of a successful answer: the whole JSON body, or the streamed tail ending in [DONE]. */
  private finish(done: Extract<SubmitEvent, { t: 'done' }>, collected: string[]): string {
    const usage = usageOf(this.request.promptTokens, done.completionTokens);
    if (!this.request.stream) {
      const text = done.k ? tokensText(done.k, done.s) : collected.join('');
      sendJson(this.res, 200, this.format.complete(text, usage, done.finishReason), this.upstreamHeaders);
      return '';
    }
    let out = this.startStream() + sse(this.format.finish(done.finishReason));
    if (this.request.includeUsage) out += sse(this.format.usage(usage));
    return `${out}data: [DONE]\n\n`;
  }

  /** Writes the SSE headers once, and returns the chunks that open the stream (chat: the role). */
  private startStream(): string {
    if (this.streamStarted) return '';
    this.streamStarted = true;
    this.deps.metrics.timeToFirstToken
      .labels(this.exchange.route)
      .observe((performance.now() - this.exchange.startedAt) / 1000);
    this.res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...this.upstreamHeaders,
    });
    return this.format.opening().map(sse).join('');
  }

  private cutEvent(code: string, message: string): string {
    this.deps.metrics.streamCuts.inc();
    return sse({ error: { message, type: 'server_error', param: null, code } });
  }

  /** Writes to a slow client without buffering without bound: waits for drain (or an abort). */
  private async write(out: string): Promise<void> {
    if (!this.res.write(out)) await once(this.res, 'drain', { signal: this.signal });
  }

  private aborted(): undefined {
    if (this.signal.reason !== abortReasons.timeout || this.res.writableEnded) return undefined;
    const message = 'The request did not finish within the gateway timeout';
    if (this.streamStarted) this.res.end(this.cutEvent('timeout', message));
    else this.answerError(new ApiError(504, 'server_error', 'timeout', message));
    return undefined;
  }

  private answerError(error: ApiError): void {
    if (this.res.headersSent) return;
    for (const [name, value] of Object.entries(this.upstreamHeaders)) this.res.setHeader(name, value);
    sendApiError(this.res, error);
  }
}

function upstreamEventError(event: { code: string; message: string }): ApiError {
  return new ApiError(502, 'server_error', event.code, event.message);
}

function pickHeaders(from: Dispatcher.ResponseData['headers']): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of copiedHeaders) {
    const value = from[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

async function readUpstreamError(
  response: Dispatcher.ResponseData,
): Promise<{ code: string; message: string }> {
  const fallback = { code: 'upstream_error', message: `Batcher answered ${response.statusCode}` };
  try {
    const parsed = JSON.parse(await response.body.text()) as {
      error?: { code?: unknown; message?: unknown };
    };
    const code = parsed.error?.code;
    const message = parsed.error?.message;
    return {
      code: typeof code === 'string' ? code : fallback.code,
      message: typeof message === 'string' ? message : fallback.message,
    };
  } catch {
    return fallback;
  }
}

const targets = new Map<string, { origin: string; path: string }>();

/** origin + path of a batcher's submit endpoint, parsed once per URL. */
function submitTarget(url: string): { origin: string; path: string } {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    target = { origin: parsed.origin, path: `${parsed.pathname.replace(/\/$/, '')}/v1/submit` };
    if (targets.size > 1_000) targets.clear();
    targets.set(url, target);
  }
  return target;
}
