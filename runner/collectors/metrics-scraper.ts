import { type PromSample, parsePrometheusText, sumOf } from './prometheus-text.js';

/** One scrape of the stack's server-side state, summed over components of a role. */
export interface ServerMetricsPoint {
  /** Unix ms. */
  t: number;
  queueDepth?: number;
  /** Mean batch size of the batches formed since the previous scrape. */
  batchSizeMean?: number;
  batches?: number;
  runningSequences?: number;
  waitingSequences?: number;
  kvCacheUsage?: number;
  liveWorkers?: number;
  gatewayInflight?: number;
  /** Workers' counters, summed (they restart at 0 with a worker): prompt tokens looked up and hit in the prefix cache. */
  prefixQueriedTokens?: number;
  prefixHitTokens?: number;
  /** Workers' counter, summed: sequences dropped because their client went away. */
  cancelledSequences?: number;
  /** Each component's largest event-loop delay of the last 3 s of its scrape windows (ms), by component id. */
  eventLoopDelayMaxMs?: Record<string, number>;
}

export interface ScrapeTarget {
  role: string;
  id: string;
  url: string;
}

/**
 * Scrapes every component's /metrics once a second while a run lasts. A component that does not answer
 * (killed by chaos, say) is skipped for that scrape; it never stops the run.
 */
export class MetricsScraper {
  readonly points: ServerMetricsPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private previousBatch: { sum: number; count: number } | undefined;
  private busy = false;

  constructor(
    private readonly targets: () => ScrapeTarget[] | Promise<ScrapeTarget[]>,
    private readonly intervalMs = 1_000,
  ) {}

  start(): this {
    this.timer = setInterval(() => void this.scrapeOnce(), this.intervalMs);
    return this;
  }

  async stop(): Promise<ServerMetricsPoint[]> {
    clearInterval(this.timer);
    return this.points;
  }

  async scrapeOnce(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      // Asking the platform for its components' state may fail mid-chaos; that scrape then sees nobody.
      const targets = await Promise.resolve()
        .then(() => this.targets())
        .catch(() => [] as ScrapeTarget[]);
      const pages = await Promise.all(
        targets.map(async (target) => {
          try {
            const response = await fetch(`${target.url}/metrics`, { signal: AbortSignal.timeout(800) });
            return { ...target, samples: parsePrometheusText(await response.text()) };
          } catch {
            return { ...target, samples: [] as PromSample[] };
          }
        }),
      );
      const byRole = (role: string) => pages.filter((p) => p.role === role).flatMap((p) => p.samples);
      const batcher = byRole('batcher');
      const worker = byRole('worker');
      const gateway = byRole('gateway');
      const point: ServerMetricsPoint = { t: Date.now() };
      const set = <K extends keyof ServerMetricsPoint>(key: K, value: ServerMetricsPoint[K] | undefined) => {
        if (value !== undefined) point[key] = value;
      };
      set('queueDepth', sumOf(batcher, 'gauntlet_batcher_queue_depth'));
      set('liveWorkers', maxOf(batcher, 'gauntlet_batcher_live_workers'));
      set('runningSequences', sumOf(worker, 'gauntlet_worker_running_sequences'));
      set('waitingSequences', sumOf(worker, 'gauntlet_worker_waiting_sequences'));
      set('kvCacheUsage', maxOf(worker, 'gauntlet_worker_kv_cache_usage_ratio'));
      set('gatewayInflight', sumOf(gateway, 'gauntlet_gateway_inflight_requests'));
      set('prefixQueriedTokens', sumOf(worker, 'gauntlet_worker_prefix_cache_queried_tokens_total'));
      set('prefixHitTokens', sumOf(worker, 'gauntlet_worker_prefix_cache_hit_tokens_total'));
      set('cancelledSequences', sumOf(worker, 'gauntlet_worker_cancelled_sequences_total'));
      const sum = sumOf(batcher, 'gauntlet_batcher_batch_size_sum');
      const count = sumOf(batcher, 'gauntlet_batcher_batch_size_count');
      if (sum !== undefined && count !== undefined) {
        const prev = this.previousBatch;
        // Counters restart when a batcher restarts; a negative delta means "start over".
        if (prev && count >= prev.count) {
          const batches = count - prev.count;
          set('batches', batches);
          if (batches > 0) set('batchSizeMean', (sum - prev.sum) / batches);
        }
        this.previousBatch = { sum, count };
      }
      const delays: Record<string, number> = {};
      for (const page of pages) {
        const max = maxOf(
          page.samples.filter((s) => s.labels.stat === 'max'),
          'gauntlet_event_loop_delay_seconds',
        );
        if (max !== undefined) delays[page.id] = max * 1000;
      }
      if (Object.keys(delays).length > 0) point.eventLoopDelayMaxMs = delays;
      this.points.push(point);
    } finally {
      this.busy = false;
    }
  }
}

function maxOf(samples: PromSample[], name: string): number | undefined {
  let max: number | undefined;
  for (const s of samples) if (s.name === name) max = Math.max(max ?? Number.NEGATIVE_INFINITY, s.value);
  return max;
}
