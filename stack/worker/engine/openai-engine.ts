import { Agent, request } from 'undici';
import type { WorkerConfig } from '../../../core/config/cluster-config.js';
import type { BatchItem, WorkerErrorCode } from '../../protocol/worker-api.js';
import { doneLine, errLine, stepLine, textPair } from '../event-lines.js';
import type { ActiveFaults, FaultState } from '../fault-state.js';
import type { BatchHandle, BatchSink, SchedulerObserver, SchedulerStatus } from '../scheduler.js';
import { readEngineChunk } from './engine-chunk.js';
import { type EngineCall, engineCallFor, type OpenAiEngineConfig } from './engine-request.js';
import { sseData } from './sse-events.js';
import type { WorkerEngine } from './worker-engine.js';

export interface OpenAiEngineOptions {
  worker: WorkerConfig;
  engine: OpenAiEngineConfig;
  faults: FaultState;
  /** PRNG in [0, 1) for errorRate decisions; seeded so that a rerun fails the same tokens. */
  random: () => number;
  /** A planted defect's extra slowdown, read at every token; 1 unless given. */
  plantedSlowdown?: () => number;
  observer?: SchedulerObserver;
  /** Where `engine.api_key_env` is read; process.env unless given. */
  env?: NodeJS.ProcessEnv;
}

class EngineBatch {
  live = 0;
  ended = false;
  readonly sequences: EngineSequence[] = [];
  constructor(readonly sink: BatchSink) {}
}

/** One item on its way through the engine, and the lines it still owes the batcher. */
class EngineSequence {
  readonly controller = new AbortController();
  /** Tokens the engine produced so far; the position of the next one. */
  position = 0;
  /** Tokens a migrated stream already delivered elsewhere: regenerated, not sent again. */
  skip: number;
  lastArrivalMs: number;
  lastEmitMs: number;
  promptTokens: number;
  completionTokens: number | undefined;
  finishReason: 'length' | 'stop' = 'length';
  readonly queue: Array<{ atMs: number; line: string; final: boolean }> = [];
  timer: NodeJS.Timeout | undefined;
  settled = false;

  constructor(
    readonly item: BatchItem,
    readonly call: EngineCall,
    readonly batch: EngineBatch,
    startedMs: number,
  ) {
    this.skip = item.resumeFrom ?? 0;
    this.lastArrivalMs = startedMs;
    this.lastEmitMs = startedMs;
    this.promptTokens = item.promptTokens;
  }
}

const now = () => performance.now();

/**
 * A worker in front of an OpenAI-compatible engine (vLLM, SGLang) instead of the simulated GPU: each batch
 * item becomes one streamed engine request (the engine does its own continuous batching), and each text
 * delta becomes one token of the batcher protocol, with its text. The GPU faults of the admin API act on
 * what the worker forwards: `slowdown` stretches the gaps between tokens, `hang` holds them (the time hung
 * is not made up), `errorRate` fails a sequence at a token, `oom` fails everything; the engine itself is
 * not touched, so a fault never needs the engine's cooperation and always rolls back.
 */
export class OpenAiEngine implements WorkerEngine {
  private readonly live = new Set<EngineSequence>();
  private readonly agent = new Agent({ keepAliveTimeout: 60_000, connections: 1024 });
  private readonly headers: Record<string, string>;
  private readonly observer: SchedulerObserver;
  private readonly plantedSlowdown: () => number;
  private readonly unsubscribe: () => void;
  private draining = false;
  private closed = false;
  private hangStartedMs: number | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: OpenAiEngineOptions) {
    const { engine } = options;
    this.observer = options.observer ?? {};
    this.plantedSlowdown = options.plantedSlowdown ?? (() => 1);
    this.headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (engine.api_key_env !== undefined) {
      const key = (options.env ?? process.env)[engine.api_key_env];
      if (!key) {
        throw new Error(
          `worker.engine.api_key_env names ${engine.api_key_env}, which is not set in the worker's environment`,
        );
      }
      this.headers.authorization = `Bearer ${key}`;
    }
    this.unsubscribe = options.faults.onChange((faults, previous) => this.onFaultsChanged(faults, previous));
  }

  status(): SchedulerStatus {
    let reserved = 0;
    for (const sequence of this.live) reserved += sequence.item.promptTokens + sequence.item.maxTokens;
    // The engine's own KV use is in its metrics (vllm:gpu_cache_usage_perc); this is what the worker admitted.
    return {
      running: this.live.size,
      waiting: 0,
      kvUsedTokens: reserved,
      kvCapacityTokens: this.options.worker.kv_cache_tokens,
    };
  }

  submit(items: readonly BatchItem[], sink: BatchSink): BatchHandle {
    const batch = new EngineBatch(sink);
    const ids = new Set<string>();
    for (const item of items) {
      const refusal = this.admission(item, ids);
      if ('code' in refusal) {
        sink.write(errLine(item.id, refusal.code, refusal.message));
        this.observer.rejected?.(refusal.code);
        continue;
      }
      ids.add(item.id);
      const sequence = new EngineSequence(item, refusal.call, batch, now());
      batch.live++;
      batch.sequences.push(sequence);
      this.live.add(sequence);
    }
    if (batch.live === 0) {
      batch.ended = true;
      sink.end();
    }
    for (const sequence of batch.sequences) void this.run(sequence);
    return {
      admitted: batch.sequences.length,
      cancel: () => {
        batch.ended = true;
        for (const sequence of batch.sequences) this.settle(sequence);
      },
      cancelItems: (cancelIds) => {
        const wanted = new Set(cancelIds);
        let count = 0;
        for (const sequence of batch.sequences) {
          if (sequence.settled || !wanted.has(sequence.item.id)) continue;
          count++;
          this.fail(sequence, 'cancelled', 'the client went away', false);
        }
        if (count > 0) this.observer.cancelled?.(count);
        return count;
      },
    };
  }

  /**
   * Waits until the engine serves the configured model. An HTTP engine offers nothing to watch, so this
   * asks `/v1/models` every 2 s, bounded by `startup_timeout_s` (vLLM answers it once the weights loaded).
   */
  async waitServing(log: (message: string) => void, signal?: AbortSignal): Promise<void> {
    const { engine } = this.options;
    const deadline = now() + engine.startup_timeout_s * 1000;
    let lastProblem = '';
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await request(`${engine.url}/v1/models`, {
          dispatcher: this.agent,
          headers: this.headers,
          signal,
          headersTimeout: 5_000,
          bodyTimeout: 5_000,
        });
        const text = await response.body.text();
        if (response.statusCode === 200) {
          const served = servedModels(text);
          if (served.includes(engine.model)) return;
          throw new Error(
            `the engine at ${engine.url} serves ${served.length > 0 ? served.map((m) => `'${m}'`).join(', ') : 'no model'}, ` +
              `not '${engine.model}' (worker.engine.model must be one of them)`,
          );
        }
        lastProblem = `GET /v1/models answered ${response.statusCode}`;
      } catch (error) {
        if ((error as Error).message.startsWith('the engine at')) throw error;
        if (signal?.aborted) throw error;
        lastProblem = (error as Error).message;
      }
      if (now() >= deadline) {
        throw new Error(
          `the engine at ${engine.url} did not serve '${engine.model}' within ${engine.startup_timeout_s} s ` +
            `(worker.engine.startup_timeout_s): ${lastProblem}`,
        );
      }
      if (attempt % 15 === 0) log(`waiting for the engine at ${engine.url} (${lastProblem})`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }

  drain(): Promise<void> {
    this.draining = true;
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  failAll(code: WorkerErrorCode, message: string): void {
    for (const sequence of [...this.live]) this.fail(sequence, code, message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    for (const sequence of [...this.live]) this.settle(sequence);
    void this.agent.close();
  }

  private admission(
    item: BatchItem,
    ids: ReadonlySet<string>,
  ): { call: EngineCall } | { code: WorkerErrorCode; message: string } {
    if (this.options.faults.active.oom) return { code: 'gpu_oom', message: oomMessage };
    if (this.draining || this.closed) return { code: 'draining', message: 'worker is draining' };
    if (ids.has(item.id)) return { code: 'bad_request', message: `id ${item.id} appears twice in the batch` };
    const max = this.options.worker.max_running_seqs;
    if (this.live.size >= max) {
      return {
        code: 'worker_busy',
        message: `worker is full: ${this.live.size} of ${max} sequences running`,
      };
    }
    const call = engineCallFor(item, this.options.engine);
    if (!call) {
      return {
        code: 'bad_request',
        message:
          'this worker fronts an engine and the request carries no prompt text; the gateway sends it ' +
          'when its cluster config has the same worker.engine',
      };
    }
    return { call };
  }

  private async run(sequence: EngineSequence): Promise<void> {
    const { engine } = this.options;
    try {
      const response = await request(`${engine.url}${sequence.call.path}`, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { ...this.headers, 'x-request-id': sequence.item.id },
        body: JSON.stringify(sequence.call.body),
        signal: sequence.controller.signal,
      });
      if (sequence.settled) {
        response.body.destroy();
        return;
      }
      if (response.statusCode !== 200) {
        const text = await response.body.text();
        const [code, what] = refusalOf(response.statusCode);
        this.fail(sequence, code, `the engine ${what} (${response.statusCode}): ${errorText(text)}`);
        return;
      }
      for await (const payload of sseData(response.body)) {
        if (sequence.settled) return;
        if (payload.trim() === '[DONE]') break;
        const chunk = readEngineChunk(payload);
        if (chunk.error !== undefined) {
          this.fail(sequence, 'gpu_error', chunk.error);
          return;
        }
        if (chunk.promptTokens !== undefined) sequence.promptTokens = chunk.promptTokens;
        if (chunk.completionTokens !== undefined) sequence.completionTokens = chunk.completionTokens;
        if (chunk.finishReason !== undefined) sequence.finishReason = chunk.finishReason;
        if (chunk.text !== '') this.onToken(sequence, chunk.text);
      }
      if (sequence.settled) return;
      const { item } = sequence;
      const line = doneLine(
        item.id,
        sequence.promptTokens,
        sequence.completionTokens ?? sequence.position,
        sequence.finishReason,
      );
      this.enqueue(sequence, Math.max(sequence.lastEmitMs, now()), line, true);
    } catch (error) {
      if (sequence.settled) return;
      this.fail(sequence, 'gpu_error', `the engine connection failed: ${(error as Error).message}`);
    }
  }

  private onToken(sequence: EngineSequence, text: string): void {
    const { errorRate, slowdown } = this.options.faults.active;
    if (errorRate > 0 && this.options.random() < errorRate) {
      this.fail(sequence, 'gpu_error', 'GPU error (injected errorRate fault)');
      return;
    }
    const arrived = now();
    if (sequence.position === 0) this.observer.promptTokens?.(sequence.item.promptTokens);
    const position = sequence.position++;
    const gap = arrived - sequence.lastArrivalMs;
    sequence.lastArrivalMs = arrived;
    // A token's gap since the previous one, stretched by the slowdown; delays (a hang) carry forward.
    sequence.lastEmitMs += gap * slowdown * this.plantedSlowdown();
    if (sequence.skip > 0) {
      sequence.skip--;
      return;
    }
    this.enqueue(
      sequence,
      sequence.lastEmitMs,
      stepLine([textPair(sequence.item.id, position, text)]),
      false,
    );
  }

  private enqueue(sequence: EngineSequence, atMs: number, line: string, final: boolean): void {
    sequence.queue.push({ atMs, line, final });
    if (sequence.queue.length === 1) this.pump(sequence);
  }

  /** Writes the lines that are due; a line not yet due (slowdown) or held (hang) waits on a timer. */
  private pump(sequence: EngineSequence): void {
    sequence.timer = undefined;
    if (this.hangStartedMs !== undefined) return;
    const time = now();
    while (sequence.queue.length > 0 && !sequence.settled) {
      const next = sequence.queue[0];
      if (next === undefined) break;
      if (next.atMs > time) {
        sequence.timer = setTimeout(() => this.pump(sequence), Math.ceil(next.atMs - time));
        return;
      }
      sequence.queue.shift();
      sequence.batch.sink.write(next.line);
      if (next.final) {
        this.observer.finished?.();
        this.settle(sequence);
      }
    }
  }

  /** Fails a sequence now (the GPU failed: what it still owed is dropped), optionally counting it. */
  private fail(sequence: EngineSequence, code: WorkerErrorCode, message: string, count = true): void {
    if (sequence.settled) return;
    if (!sequence.batch.ended) sequence.batch.sink.write(errLine(sequence.item.id, code, message));
    if (count) this.observer.failed?.(code);
    this.settle(sequence);
  }

  private settle(sequence: EngineSequence): void {
    if (sequence.settled) return;
    sequence.settled = true;
    sequence.queue.length = 0;
    if (sequence.timer !== undefined) clearTimeout(sequence.timer);
    sequence.controller.abort();
    this.live.delete(sequence);
    const { batch } = sequence;
    batch.live--;
    if (batch.live === 0 && !batch.ended) {
      batch.ended = true;
      batch.sink.end();
    }
    if (this.live.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private onFaultsChanged(faults: ActiveFaults, previous: ActiveFaults): void {
    if (faults.oom && !previous.oom) this.failAll('gpu_oom', oomMessage);
    if (faults.hang && !previous.hang) this.hangStartedMs = now();
    if (!faults.hang && previous.hang && this.hangStartedMs !== undefined) {
      // The stream resumes where it stopped: what the engine produced meanwhile keeps its own pace after.
      const held = now() - this.hangStartedMs;
      this.hangStartedMs = undefined;
      for (const sequence of [...this.live]) {
        sequence.lastEmitMs += held;
        for (const line of sequence.queue) line.atMs += held;
        if (sequence.timer !== undefined) clearTimeout(sequence.timer);
        this.pump(sequence);
      }
    }
  }
}

const oomMessage = 'CUDA out of memory (injected oom fault)';

/** The worker error for an engine's refusal: its own 4xx are the request's fault, the rest the worker's. */
function refusalOf(status: number): [WorkerErrorCode, string] {
  if (status === 429 || status === 503) return ['worker_busy', 'is busy'];
  if (status >= 400 && status < 500) return ['bad_request', 'refused the request'];
  return ['gpu_error', 'failed'];
}

function errorText(body: string): string {
  try {
    const value = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof value.error === 'string' ? value.error : (value.error?.message ?? value.message);
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the body itself says it
  }
  return body.slice(0, 500) || '(no body)';
}

function servedModels(body: string): string[] {
  try {
    const value = JSON.parse(body) as { data?: Array<{ id?: unknown }> };
    return (value.data ?? []).flatMap((m) => (typeof m.id === 'string' ? [m.id] : []));
  } catch {
    return [];
  }
}
