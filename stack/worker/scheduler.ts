import type { WorkerConfig } from '../../core/config/cluster-config.js';
import { prefixBlockTokens } from '../protocol/prefix-blocks.js';
import { tokenStream } from '../protocol/tokens.js';
import type { BatchItem, WorkerErrorCode } from '../protocol/worker-api.js';
import { doneLine, errLine, stepLine, stepPairPrefix } from './event-lines.js';
import { type ActiveFaults, FaultState } from './fault-state.js';
import { decodeStepMs, prefillMs } from './latency-model.js';
import { PrefixCache } from './prefix-cache.js';

/**
 * The simulated GPU's continuous-batching loop (one per worker process), in the manner of vLLM's default
 * scheduler: a prefill pass whenever prompts are waiting, otherwise one decode step over every running
 * sequence. Each step takes the latency model's time; its tokens appear when it ends.
 */

/** A step prefills, decodes, or (mixed batching, vLLM V1 / SGLang style) does both in one forward pass. */
export type StepPhase = 'prefill' | 'decode' | 'mixed';

/** Time source and timers; injectable so a bench can run the loop on its own clock. */
export interface SchedulerClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: SchedulerClock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Hooks for metrics; called once per step or per sequence event, never per token. */
export interface SchedulerObserver {
  step?(phase: StepPhase, durationMs: number, tokens: number): void;
  promptTokens?(count: number): void;
  /** A sequence's prompt was looked up in the prefix cache: `hitTokens` of its `queriedTokens` skip prefill. */
  prefixLookup?(queriedTokens: number, hitTokens: number): void;
  /** Admitted sequences dropped because their client went away; their slots and KV are free again. */
  cancelled?(count: number): void;
  rejected?(code: WorkerErrorCode): void;
  failed?(code: WorkerErrorCode): void;
  finished?(): void;
}

/** Where one batch's events go: NDJSON lines (newline included), then end once every item is settled. */
export interface BatchSink {
  write(line: string): void;
  end(): void;
}

export interface BatchHandle {
  /** Items admitted to the scheduler (the others were answered with `err` lines at once). */
  readonly admitted: number;
  /** The client went away: drop this batch's sequences and free their KV. Nothing more is written. */
  cancel(): void;
  /**
   * Some of the batch's clients went away: drop those sequences now, free their slots and KV, and answer
   * each with an `err` line (code `cancelled`) so the batcher frees its slot too. Returns how many were live.
   */
  cancelItems(ids: readonly string[]): number;
}

export interface SchedulerStatus {
  running: number;
  waiting: number;
  kvUsedTokens: number;
  kvCapacityTokens: number;
}

export interface SchedulerOptions {
  worker: WorkerConfig;
  faults?: FaultState;
  /** PRNG in [0, 1) for errorRate decisions; seed it so runs repeat. */
  random?: () => number;
  gpuIndex?: number;
  clock?: SchedulerClock;
  observer?: SchedulerObserver;
  /** A further step-time multiplier read at every step (a planted defect's slowdown); 1 unless given. */
  plantedSlowdown?: () => number;
  /**
   * How late a step may end and still have the next step start at its planned time (drift correction).
   * Lateness beyond this is not made up, so a stalled event loop never yields a burst of short steps.
   */
  maxCatchUpMs?: number;
}

type SequenceState = 'waiting' | 'prefill' | 'running' | 'gone';

interface Sequence {
  readonly id: string;
  readonly promptTokens: number;
  /** The request's own prompt (without tokens re-prefilled after a migration), for usage. */
  readonly reportedPromptTokens: number;
  readonly maxTokens: number;
  /** KV reserved at admission: the prompt plus every token it may generate. */
  readonly kvTokens: number;
  readonly next: () => number;
  readonly pairPrefix: string;
  readonly batch: BatchRun;
  /** The prompt's block hashes, for the prefix cache. */
  readonly prefixHashes: readonly number[];

  generated: number;
  state: SequenceState;
}

class BatchRun {
  live = 0;
  ended = false;
  /** Step number this batch was last touched in, so it enters the flush list once per step. */
  touchedStep = -1;
  /** This step's `[id, token]` pairs, reused between steps. */
  readonly pairs: string[] = [];
  /** `done` lines of this step, written after its step line. */
  tail = '';
  readonly sequences: Sequence[] = [];
  constructor(readonly sink: BatchSink) {}
}

const defaultMaxCatchUpMs = 5;

export class Scheduler {
  readonly worker: WorkerConfig;
  readonly faults: FaultState;
  private readonly random: () => number;
  private readonly plantedSlowdown: () => number;
  private readonly clock: SchedulerClock;
  private readonly observer: SchedulerObserver;
  private readonly gpuIndex: number;
  private readonly maxCatchUpMs: number;
  private readonly unsubscribe: () => void;
  private readonly prefixCache: PrefixCache | undefined;

  /** FIFO of admitted sequences not prefilled yet; `waitingHead` is its first live index. */
  private readonly waiting: Sequence[] = [];
  private waitingHead = 0;
  private readonly prefilling: Sequence[] = [];
  private readonly running: Sequence[] = [];
  private readonly touched: BatchRun[] = [];
  private waitingCount = 0;
  /** Sequences in a prefill pass or decoding. */
  private runningCount = 0;
  private kvUsed = 0;

  private phase: StepPhase | undefined;
  private stepDurationMs = 0;
  private stepEndsAt = 0;
  private stepPromptTokens = 0;
  private stepNo = 0;
  private timer: unknown;
  /** A step ended while `hang` was on: its results wait until the hang is cleared. */
  private parked = false;
  private draining = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(options: SchedulerOptions) {
    this.worker = options.worker;
    this.faults = options.faults ?? new FaultState();
    this.random = options.random ?? Math.random;
    this.plantedSlowdown = options.plantedSlowdown ?? (() => 1);
    this.clock = options.clock ?? realClock;
    this.observer = options.observer ?? {};
    this.gpuIndex = options.gpuIndex ?? 0;
    this.maxCatchUpMs = options.maxCatchUpMs ?? defaultMaxCatchUpMs;
    const prefix = this.worker.prefix_cache;
    this.prefixCache = prefix.enabled
      ? new PrefixCache(prefix.capacity_tokens, prefixBlockTokens)
      : undefined;
    this.unsubscribe = this.faults.onChange((faults, previous) => this.onFaultsChanged(faults, previous));
  }

  status(): SchedulerStatus {
    return {
      running: this.runningCount,
      waiting: this.waitingCount,
      kvUsedTokens: this.kvUsed,
      kvCapacityTokens: this.worker.kv_cache_tokens,
    };
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Admits a batch. Items that cannot be admitted are answered at once with an `err` line (worker_busy,
   * kv_cache_exhausted, gpu_oom, draining, or bad_request for a repeated id); the sink ends when every item
   * has its `done` or `err`.
   */
  submit(items: readonly BatchItem[], sink: BatchSink): BatchHandle {
    const batch = new BatchRun(sink);
    const ids = new Set<string>();
    for (const item of items) {
      const rejection = this.admissionError(item, ids);
      if (rejection) {
        sink.write(errLine(item.id, rejection.code, rejection.message));
        this.observer.rejected?.(rejection.code);
        continue;
      }
      ids.add(item.id);
      const resumeFrom = item.resumeFrom ?? 0;
      const next = tokenStream(item.seed);
      for (let i = 0; i < resumeFrom; i++) next();
      const sequence: Sequence = {
        id: item.id,
        // A migrated sequence prefills its prompt plus the tokens it already produced elsewhere.
        promptTokens: item.promptTokens + resumeFrom,
        reportedPromptTokens: item.promptTokens,
        maxTokens: item.maxTokens,
        kvTokens: item.promptTokens + item.maxTokens,
        next,
        pairPrefix: stepPairPrefix(item.id),
        batch,
        prefixHashes: item.prefixHashes ?? [],
        generated: resumeFrom,
        state: 'waiting',
      };
      batch.sequences.push(sequence);
      batch.live++;
      this.kvUsed += sequence.kvTokens;
      this.waiting.push(sequence);
      this.waitingCount++;
    }
    if (batch.live === 0) {
      batch.ended = true;
      sink.end();
    } else {
      this.kick();
    }
    return {
      admitted: batch.sequences.length,
      cancel: () => this.cancel(batch),
      cancelItems: (ids) => this.cancelItems(batch, ids),
    };
  }

  /** Refuses new sequences from now on; resolves when every admitted sequence is done or failed. */
  drain(): Promise<void> {
    this.draining = true;
    return this.idle();
  }

  /** Resolves when no sequence is waiting or running. */
  idle(): Promise<void> {
    if (this.waitingCount + this.runningCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every admitted sequence with `code` (their batches end). */
  failAll(code: WorkerErrorCode, message: string): void {
    for (let i = this.waitingHead; i < this.waiting.length; i++) {
      const sequence = this.waiting[i];
      if (sequence && sequence.state !== 'gone') this.fail(sequence, code, message);
    }
    for (const sequence of this.prefilling) if (sequence.state !== 'gone') this.fail(sequence, code, message);
    for (const sequence of this.running) if (sequence.state !== 'gone') this.fail(sequence, code, message);
    this.waiting.length = 0;
    this.waitingHead = 0;
    this.flushTouched();
    this.checkIdle();
  }

  /** Stops the loop; sequences still in flight fail with `draining` so their batchers can retry. */
  close(): void {
    if (this.closed) return;
    this.failAll('draining', 'worker shut down before the sequence finished');
    this.closed = true;
    this.unsubscribe();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.phase = undefined;
    this.checkIdle();
  }

  private admissionError(
    item: BatchItem,
    ids: ReadonlySet<string>,
  ): { code: WorkerErrorCode; message: string } | undefined {
    if (this.faults.active.oom) return { code: 'gpu_oom', message: this.oomMessage() };
    if (this.draining || this.closed) return { code: 'draining', message: 'worker is draining' };
    if (ids.has(item.id))
      return { code: 'bad_request', message: `item id "${item.id}" repeats in this batch` };
    const inFlight = this.waitingCount + this.runningCount;
    if (inFlight + 1 > this.worker.max_running_seqs) {
      return {
        code: 'worker_busy',
        message: `worker busy: ${inFlight} of ${this.worker.max_running_seqs} sequences in flight`,
      };
    }
    const need = item.promptTokens + item.maxTokens;
    const capacity = this.worker.kv_cache_tokens;
    const free = capacity - this.kvUsed;
    if (need > free) {
      return {
        code: 'kv_cache_exhausted',
        message: `KV cache exhausted: need ${need} tokens, ${free} free of ${capacity}`,
      };
    }
    return undefined;
  }

  private oomMessage(): string {
    const capacity = this.worker.gpu === 'a100-40gb' ? '39.39' : '79.15';
    return (
      `CUDA out of memory. Tried to allocate 2.00 GiB (GPU ${this.gpuIndex}; ${capacity} GiB total ` +
      'capacity; simulated fault)'
    );
  }

  private cancel(batch: BatchRun): void {
    if (batch.ended) return;
    batch.ended = true;
    let count = 0;
    for (const sequence of batch.sequences) {
      if (sequence.state === 'gone') continue;
      this.release(sequence);
      count++;
    }
    if (count > 0) this.observer.cancelled?.(count);
    this.checkIdle();
  }

  private cancelItems(batch: BatchRun, ids: readonly string[]): number {
    if (batch.ended) return 0;
    const wanted = new Set(ids);
    let count = 0;
    for (const sequence of batch.sequences) {
      if (!wanted.has(sequence.id) || sequence.state === 'gone') continue;
      this.release(sequence);
      batch.sink.write(errLine(sequence.id, 'cancelled', 'the client cancelled the request'));
      count++;
    }
    if (count > 0) this.observer.cancelled?.(count);
    if (batch.live === 0) {
      batch.ended = true;
      batch.sink.end();
    }
    this.checkIdle();
    return count;
  }

  /** Frees a sequence's slot and KV. */
  private release(sequence: Sequence): void {
    if (sequence.state === 'waiting') this.waitingCount--;
    else if (sequence.state === 'prefill' || sequence.state === 'running') this.runningCount--;
    else return;
    sequence.state = 'gone';
    this.kvUsed -= sequence.kvTokens;
    sequence.batch.live--;
  }

  private fail(sequence: Sequence, code: WorkerErrorCode, message: string): void {
    const batch = sequence.batch;
    this.release(sequence);
    this.observer.failed?.(code);
    if (batch.ended) return;
    batch.sink.write(errLine(sequence.id, code, message));
    this.touch(batch);
  }

  private touch(batch: BatchRun): void {
    if (batch.touchedStep === this.stepNo) return;
    batch.touchedStep = this.stepNo;
    this.touched.push(batch);
  }

  /** Writes each touched batch's step line, then its done lines, and ends batches with nothing left. */
  private flushTouched(): void {
    for (const batch of this.touched) {
      batch.touchedStep = -1;
      if (batch.ended) {
        batch.pairs.length = 0;
        batch.tail = '';
        continue;
      }
      if (batch.pairs.length > 0) {
        batch.sink.write(stepLine(batch.pairs));
        batch.pairs.length = 0;
      }
      if (batch.tail) {
        batch.sink.write(batch.tail);
        batch.tail = '';
      }
      if (batch.live === 0) {
        batch.ended = true;
        batch.sink.end();
      }
    }
    this.touched.length = 0;
  }

  private checkIdle(): void {
    if (this.waitingCount + this.runningCount > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private onFaultsChanged(faults: ActiveFaults, previous: ActiveFaults): void {
    if (faults.oom && !previous.oom) this.failAll('gpu_oom', this.oomMessage());
    if (!faults.hang && previous.hang) {
      if (this.parked) {
        this.parked = false;
        // The frozen step ends now; the time frozen is not made up.
        this.stepEndsAt = this.clock.now();
        this.completeStep();
      } else {
        this.kick();
      }
    }
  }

  private kick(): void {
    if (this.phase === undefined && !this.parked) this.startStep(this.clock.now());
  }

  /** Plans the next step to start at `startAt` (the planned end of the previous one) and arms its timer. */
  private startStep(startAt: number): void {
    if (this.closed || this.faults.active.hang) return;
    const slowdown = this.worker.slowdown * this.faults.active.slowdown * this.plantedSlowdown();
    const tp = this.worker.tensor_parallel;
    let durationMs: number;
    const decoding = this.waitingCount > 0 && !this.worker.mixed_batching ? 0 : this.gatherRunning();
    if (this.waitingCount > 0 && decoding > 0) {
      // Mixed batching: waiting prompts ride along in the decode step's forward pass. The weights stream
      // once, so the step costs a decode step plus the prefill's per-token compute (not its fixed part).
      const decodeMs = decodeStepMs(
        decoding,
        this.meanContext(decoding),
        this.worker.latency,
        tp,
        this.worker.gpu,
      );
      const budget = Math.max(1, this.worker.max_prefill_tokens - decoding);
      const prompt = this.takePrefill(budget);
      const extraMs = prefillMs(prompt, this.worker.latency, tp) - prefillMs(0, this.worker.latency, tp);
      durationMs = (decodeMs + extraMs) * slowdown;
      this.phase = 'mixed';
    } else if (this.waitingCount > 0) {
      durationMs =
        prefillMs(this.takePrefill(this.worker.max_prefill_tokens), this.worker.latency, tp) * slowdown;
      this.phase = 'prefill';
    } else if (decoding > 0) {
      durationMs =
        decodeStepMs(decoding, this.meanContext(decoding), this.worker.latency, tp, this.worker.gpu) *
        slowdown;
      this.phase = 'decode';
    } else {
      this.checkIdle();
      return;
    }
    this.stepDurationMs = durationMs;
    this.stepEndsAt = startAt + durationMs;
    this.timer = this.clock.setTimeout(this.onTimer, Math.max(0, this.stepEndsAt - this.clock.now()));
  }

  /** Compacts `running` to the sequences decoding now; returns how many. */
  private gatherRunning(): number {
    let batchSize = 0;
    for (const sequence of this.running) {
      if (sequence.state !== 'running') continue;
      this.running[batchSize++] = sequence;
    }
    this.running.length = batchSize;
    return batchSize;
  }

  private meanContext(batchSize: number): number {
    let contextTokens = 0;
    for (let i = 0; i < batchSize; i++) {
      const sequence = this.running[i];
      if (sequence) contextTokens += sequence.reportedPromptTokens + sequence.generated;
    }
    return contextTokens / batchSize;
  }

  /** Moves waiting sequences into a prefill pass, up to `budget` prompt tokens (at least one); returns its tokens. */
  private takePrefill(budget: number): number {
    this.prefilling.length = 0;
    let tokens = 0;
    while (this.waitingHead < this.waiting.length) {
      const sequence = this.waiting[this.waitingHead];
      if (sequence?.state !== 'waiting') {
        this.waitingHead++;
        continue;
      }
      const prefill = this.uncachedTokens(sequence);
      if (this.prefilling.length > 0 && tokens + prefill > budget) break;
      this.waitingHead++;
      sequence.state = 'prefill';
      this.waitingCount--;
      this.runningCount++;
      this.prefilling.push(sequence);
      tokens += prefill;
    }
    if (this.waitingHead >= this.waiting.length) {
      this.waiting.length = 0;
      this.waitingHead = 0;
    } else if (this.waitingHead > 1024) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    this.stepPromptTokens = tokens;
    return tokens;
  }

  /**
   * Prompt tokens this sequence's prefill must compute: its prompt less the leading blocks the prefix cache
   * holds. At least the last prompt token is always computed (its logits give the first token), as in vLLM.
   * Looked up when the pass is planned, so a prompt prefilled by an earlier pass counts; two sequences in the
   * same pass do not share their blocks (each is inserted once its pass ends).
   */
  private uncachedTokens(sequence: Sequence): number {
    const cache = this.prefixCache;
    if (!cache || sequence.prefixHashes.length === 0) return sequence.promptTokens;
    const cached = Math.min(
      cache.match(sequence.prefixHashes) * cache.blockTokens,
      sequence.reportedPromptTokens - 1,
    );
    this.observer.prefixLookup?.(sequence.reportedPromptTokens, cached);
    return sequence.promptTokens - cached;
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    if (this.closed) return;
    if (this.faults.active.hang) {
      this.parked = true;
      return;
    }
    this.completeStep();
  };

  /** Emits the step's tokens (one step line per batch), finishes sequences, and starts the next step. */
  private completeStep(): void {
    const phase = this.phase;
    if (phase === undefined) return;
    this.phase = undefined;
    this.stepNo++;
    let tokens = 0;
    if (phase !== 'prefill') tokens += this.emit(this.running, 'running');
    if (phase !== 'decode') {
      if (this.prefixCache) {
        for (const sequence of this.prefilling) {
          if (sequence.state === 'prefill') this.prefixCache.insert(sequence.prefixHashes);
        }
      }
      tokens += this.emit(this.prefilling, 'prefill');
      this.prefilling.length = 0;
      this.observer.promptTokens?.(this.stepPromptTokens);
    }
    this.observer.step?.(phase, this.stepDurationMs, tokens);
    this.flushTouched();
    this.checkIdle();

    // Drift correction: the next step starts when this one was planned to end, so timer lateness does not
    // add up; lateness past maxCatchUpMs is dropped rather than recovered with shorter steps.
    const now = this.clock.now();
    const lateMs = now - this.stepEndsAt;
    this.startStep(lateMs <= this.maxCatchUpMs ? this.stepEndsAt : now - this.maxCatchUpMs);
  }

  /**
   * One token to each member of `sequences` in `state` (running: a decode token; prefill: its first token).
   * Finished sequences are released; prefilled ones join the running set; `running` is compacted in place.
   */
  private emit(sequences: Sequence[], state: SequenceState): number {
    const errorRate = this.faults.active.errorRate;
    const decoding = state === 'running';
    let tokens = 0;
    let kept = 0;
    const count = sequences.length;
    for (let i = 0; i < count; i++) {
      const sequence = sequences[i];
      if (!sequence || sequence.state !== state) continue;
      if (errorRate > 0 && this.random() < errorRate) {
        this.fail(
          sequence,
          'gpu_error',
          `CUDA error: an illegal memory access was encountered (simulated fault, step ${this.stepNo})`,
        );
        continue;
      }
      const token = sequence.next();
      sequence.generated++;
      tokens++;
      const batch = sequence.batch;
      this.touch(batch);
      batch.pairs.push(`${sequence.pairPrefix}${token}]`);
      if (sequence.generated >= sequence.maxTokens) {
        batch.tail += doneLine(sequence.id, sequence.reportedPromptTokens, sequence.generated);
        this.release(sequence);
        this.observer.finished?.();
      } else if (decoding) {
        this.running[kept++] = sequence;
      } else {
        sequence.state = 'running';
        this.running.push(sequence);
      }
    }
    // Sequences prefilled in a mixed step were appended after the decoding ones; keep them.
    if (decoding) this.running.splice(kept, count - kept);
    return tokens;
  }
}
