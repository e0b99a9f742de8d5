import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerEventLoopDelay } from '../runtime/event-loop-monitor.js';

export type RequestOutcome =
  | 'ok'
  | 'stream_cut'
  | 'worker_failed'
  | 'no_workers'
  | 'cancelled'
  | 'rejected'
  | 'planted_defect';
export type RejectReason = 'queue_full' | 'no_workers' | 'draining' | 'bad_request';

/** Live figures the gauges read at scrape time, so the hot path never touches them. */
export interface BatcherGaugeSource {
  queueDepth(): number;
  inFlightSequences(): number;
  liveWorkers(): number;
}

/** The batcher's Prometheus metrics in their own registry (several batchers may share a test process). */
export class BatcherMetrics {
  readonly registry = new Registry();
  readonly batchSize: Histogram;
  readonly queueWaitSeconds: Histogram;
  readonly redispatches: Counter;
  readonly streamsResumed: Counter;
  private readonly rejected: Counter<'reason'>;
  private readonly ejections: Counter<'worker'>;
  private readonly requests: Counter<'outcome'>;
  private readonly requestChildren = new Map<RequestOutcome, Counter.Internal>();

  constructor(source: BatcherGaugeSource) {
    const registers = [this.registry];
    registerEventLoopDelay(this.registry);
    new Gauge({
      name: 'gauntlet_batcher_queue_depth',
      help: 'Requests waiting for a batch',
      registers,
      collect() {
        this.set(source.queueDepth());
      },
    });
    new Gauge({
      name: 'gauntlet_batcher_inflight_sequences',
      help: 'Sequences this batcher has in flight on workers',
      registers,
      collect() {
        this.set(source.inFlightSequences());
      },
    });
    new Gauge({
      name: 'gauntlet_batcher_live_workers',
      help: 'Workers that are ready and not ejected',
      registers,
      collect() {
        this.set(source.liveWorkers());
      },
    });
    this.batchSize = new Histogram({
      name: 'gauntlet_batcher_batch_size',
      help: 'Requests per dispatched batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.queueWaitSeconds = new Histogram({
      name: 'gauntlet_batcher_queue_wait_seconds',
      help: 'Enqueue to dispatch of the attempt that produced the first token',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.redispatches = new Counter({
      name: 'gauntlet_batcher_redispatches_total',
      help: 'Requests put back in the queue after a failed attempt (before their first token, or migrated streams)',
      registers,
    });
    this.streamsResumed = new Counter({
      name: 'gauntlet_batcher_streams_resumed_total',
      help: 'Streams whose worker failed mid-answer and which continued on another worker',
      registers,
    });
    this.rejected = new Counter({
      name: 'gauntlet_batcher_rejected_total',
      help: 'Submits refused at the door',
      labelNames: ['reason'],
      registers,
    });
    this.ejections = new Counter({
      name: 'gauntlet_batcher_worker_ejections_total',
      help: 'Times a worker was taken out of rotation after failures',
      labelNames: ['worker'],
      registers,
    });
    this.requests = new Counter({
      name: 'gauntlet_batcher_requests_total',
      help: 'Submits by final outcome',
      labelNames: ['outcome'],
      registers,
    });
  }

  request(outcome: RequestOutcome): void {
    let child = this.requestChildren.get(outcome);
    if (!child) {
      child = this.requests.labels(outcome);
      this.requestChildren.set(outcome, child);
    }
    child.inc();
  }

  reject(reason: RejectReason): void {
    this.rejected.labels(reason).inc();
    this.request('rejected');
  }

  ejection(workerId: string): void {
    this.ejections.labels(workerId).inc();
  }
}
