import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkerErrorCode } from '../protocol/worker-api.js';
import { registerEventLoopDelay } from '../runtime/event-loop-monitor.js';
import { type FaultState, faultNames } from './fault-state.js';
import type { SchedulerObserver, SchedulerStatus } from './scheduler.js';

/**
 * The worker's Prometheus metrics, in its own Registry (several workers may share a test process). Gauges
 * read the scheduler when scraped; counters move once per step or per sequence event, never per token.
 */
export interface WorkerMetrics {
  readonly registry: Registry;
  readonly observer: SchedulerObserver;
  /** Counts an accepted `POST /v1/batch`. */
  batchAccepted(): void;
  /** Counts items or batches refused before admission (for example a whole batch while draining). */
  rejected(code: WorkerErrorCode, count?: number): void;
}

/** Step-time buckets, seconds: decode steps of 13-30 ms, prefill passes up to seconds, faults far beyond. */
const stepBuckets = [
  0.005, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30,
];

export function createWorkerMetrics(status: () => SchedulerStatus, faults: FaultState): WorkerMetrics {
  const registry = new Registry();
  registerEventLoopDelay(registry);
  new Gauge({
    name: 'gauntlet_worker_running_sequences',
    help: 'Sequences in a prefill pass or decoding',
    registers: [registry],
    collect() {
      this.set(status().running);
    },
  });
  new Gauge({
    name: 'gauntlet_worker_waiting_sequences',
    help: 'Admitted sequences waiting for prefill',
    registers: [registry],
    collect() {
      this.set(status().waiting);
    },
  });
  new Gauge({
    name: 'gauntlet_worker_kv_cache_usage_ratio',
    help: 'KV-cache tokens reserved by admitted sequences over capacity',
    registers: [registry],
    collect() {
      const s = status();
      this.set(s.kvCapacityTokens > 0 ? s.kvUsedTokens / s.kvCapacityTokens : 0);
    },
  });
  new Gauge({
    name: 'gauntlet_worker_fault_active',
    help: 'Injected fault in force (1) or not (0)',
    labelNames: ['fault'],
    registers: [registry],
    collect() {
      for (const fault of faultNames) this.set({ fault }, faults.isActive(fault) ? 1 : 0);
    },
  });
  const generated = new Counter({
    name: 'gauntlet_worker_generated_tokens_total',
    help: 'Tokens generated (first tokens from prefill included)',
    registers: [registry],
  });
  const prompt = new Counter({
    name: 'gauntlet_worker_prompt_tokens_total',
    help: 'Prompt tokens prefilled',
    registers: [registry],
  });
  const prefixQueried = new Counter({
    name: 'gauntlet_worker_prefix_cache_queried_tokens_total',
    help: 'Prompt tokens looked up in the prefix cache (requests that named their prompt blocks)',
    registers: [registry],
  });
  const prefixHit = new Counter({
    name: 'gauntlet_worker_prefix_cache_hit_tokens_total',
    help: 'Prompt tokens whose prefill the prefix cache saved',
    registers: [registry],
  });
  const cancelled = new Counter({
    name: 'gauntlet_worker_cancelled_sequences_total',
    help: 'Admitted sequences dropped because their client went away (POST /v1/cancel, or the batch connection closed)',
    registers: [registry],
  });
  const stepDuration = new Histogram({
    name: 'gauntlet_worker_step_duration_seconds',
    help: 'Simulated GPU time of one model step (latency model times slowdowns)',
    labelNames: ['phase'],
    buckets: stepBuckets,
    registers: [registry],
  });
  const batches = new Counter({
    name: 'gauntlet_worker_batches_total',
    help: 'Batches accepted on POST /v1/batch',
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'gauntlet_worker_rejected_total',
    help: 'Batch items refused at admission, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'gauntlet_worker_failed_sequences_total',
    help: 'Admitted sequences that failed (gpu_error, gpu_oom, shutdown), by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const finished = new Counter({
    name: 'gauntlet_worker_finished_sequences_total',
    help: 'Sequences that generated all their tokens',
    registers: [registry],
  });

  return {
    registry,
    observer: {
      step(phase, durationMs, tokens) {
        stepDuration.observe({ phase }, durationMs / 1000);
        if (tokens > 0) generated.inc(tokens);
      },
      promptTokens(count) {
        if (count > 0) prompt.inc(count);
      },
      prefixLookup(queriedTokens, hitTokens) {
        prefixQueried.inc(queriedTokens);
        if (hitTokens > 0) prefixHit.inc(hitTokens);
      },
      cancelled(count) {
        cancelled.inc(count);
      },
      rejected(code) {
        rejected.inc({ code });
      },
      failed(code) {
        failed.inc({ code });
      },
      finished() {
        finished.inc();
      },
    },
    batchAccepted() {
      batches.inc();
    },
    rejected(code, count = 1) {
      rejected.inc({ code }, count);
    },
  };
}
