import type { BatcherRecord } from '../protocol/registry-keys.js';
import type { RecordSource } from '../runtime/registry-view.js';

export interface BatcherRouterOptions {
  ejectAfterFailures: number;
  ejectMs: number;
  /** Called once per ejection (metrics, log). */
  onEject?: (batcherId: string, failures: number) => void;
  now?: () => number;
}

interface BatcherState {
  /** url and start time of the process this state is about; a restarted batcher starts afresh. */
  incarnation: string;
  outstanding: number;
  consecutiveFailures: number;
  ejectedUntil: number;
}

/**
 * Picks the batcher with the fewest requests outstanding from this gateway (ties: round robin) and takes a
 * batcher out of rotation for `ejectMs` after `ejectAfterFailures` consecutive failures (outlier ejection).
 */
export class BatcherRouter {
  private readonly states = new Map<string, BatcherState>();
  private roundRobin = 0;
  private readonly unsubscribe: () => void;
  private readonly now: () => number;

  constructor(
    private readonly source: RecordSource<BatcherRecord>,
    private readonly options: BatcherRouterOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.unsubscribe = source.onChange(() => this.reconcile());
  }

  /** The best routable batcher not in `exclude`, or undefined when there is none. */
  pick(exclude: ReadonlySet<string>): BatcherRecord | undefined {
    const now = this.now();
    let best: BatcherRecord[] = [];
    let bestOutstanding = Number.POSITIVE_INFINITY;
    for (const record of this.source.values()) {
      if (exclude.has(record.id) || !this.routable(record, now)) continue;
      const outstanding = this.states.get(record.id)?.outstanding ?? 0;
      if (outstanding < bestOutstanding) {
        bestOutstanding = outstanding;
        best = [record];
      } else if (outstanding === bestOutstanding) {
        best.push(record);
      }
    }
    if (best.length <= 1) return best[0];
    this.roundRobin = (this.roundRobin + 1) % 1_000_000;
    return best[this.roundRobin % best.length];
  }

  routableCount(): number {
    const now = this.now();
    let count = 0;
    for (const record of this.source.values()) if (this.routable(record, now)) count++;
    return count;
  }

  begin(batcherId: string): void {
    this.state(batcherId).outstanding++;
  }

  end(batcherId: string): void {
    const state = this.state(batcherId);
    state.outstanding = Math.max(0, state.outstanding - 1);
  }

  recordSuccess(batcherId: string): void {
    this.state(batcherId).consecutiveFailures = 0;
  }

  recordFailure(batcherId: string): void {
    const state = this.state(batcherId);
    const now = this.now();
    // Failures of requests that were already under way when the batcher was ejected do not extend it.
    if (state.ejectedUntil > now) return;
    state.consecutiveFailures++;
    if (state.consecutiveFailures >= this.options.ejectAfterFailures) {
      state.ejectedUntil = now + this.options.ejectMs;
      // Back in rotation after ejectMs with a clean slate; the next failures eject it again.
      state.consecutiveFailures = 0;
      this.options.onEject?.(batcherId, this.options.ejectAfterFailures);
    }
  }

  close(): void {
    this.unsubscribe();
  }

  private routable(record: BatcherRecord, now: number): boolean {
    if (record.state !== 'ready') return false;
    const state = this.states.get(record.id);
    return state === undefined || state.ejectedUntil <= now;
  }

  private state(batcherId: string): BatcherState {
    let state = this.states.get(batcherId);
    if (!state) {
      const record = this.source.values().find((candidate) => candidate.id === batcherId);
      state = {
        incarnation: record ? incarnationOf(record) : '',
        outstanding: 0,
        consecutiveFailures: 0,
        ejectedUntil: 0,
      };
      this.states.set(batcherId, state);
    }
    return state;
  }

  /** Forgets batchers that left the registry, and the failures of a batcher that came back restarted. */
  private reconcile(): void {
    const incarnations = new Map(this.source.values().map((record) => [record.id, incarnationOf(record)]));
    for (const [id, state] of this.states) {
      const incarnation = incarnations.get(id);
      if (incarnation === undefined) {
        if (state.outstanding === 0) this.states.delete(id);
      } else if (state.incarnation !== incarnation) {
        state.incarnation = incarnation;
        state.consecutiveFailures = 0;
        state.ejectedUntil = 0;
      }
    }
  }
}

const incarnationOf = (record: BatcherRecord) => `${record.url} ${record.startedAt}`;
