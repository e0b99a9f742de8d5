import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { registerEventLoopDelay } from '../runtime/event-loop-monitor.js';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/** The gateway's Prometheus metrics, in a registry of its own so in-process tests never share state. */
export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'gauntlet_gateway_requests_total',
    help: 'API requests answered, by route and HTTP status (499: the client went away first)',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 'gauntlet_gateway_request_duration_seconds',
    help: 'Time from request arrival to the end of the response',
    labelNames: ['route'] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });

  readonly timeToFirstToken = new Histogram({
    name: 'gauntlet_gateway_time_to_first_token_seconds',
    help: 'Streamed requests: time from request arrival to the first content chunk written',
    labelNames: ['route'] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });

  readonly inflight = new Gauge({
    name: 'gauntlet_gateway_inflight_requests',
    help: 'API requests being handled now',
    registers: [this.registry],
  });

  readonly streamsResumed = new Counter({
    name: 'gauntlet_gateway_streams_resumed_total',
    help: 'Streams whose batcher died mid-answer and which continued on another batcher',
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'gauntlet_gateway_retries_total',
    help: 'Requests sent to another batcher after one failed before any byte reached the client',
    registers: [this.registry],
  });

  readonly ejections = new Counter({
    name: 'gauntlet_gateway_batcher_ejections_total',
    help: 'Times a batcher was taken out of rotation after consecutive failures',
    labelNames: ['batcher'] as const,
    registers: [this.registry],
  });

  readonly streamCuts = new Counter({
    name: 'gauntlet_gateway_stream_cuts_total',
    help: 'Streams ended with an error event after content had been sent (upstream cut or timeout)',
    registers: [this.registry],
  });

  constructor(routableBatchers: () => number) {
    new Gauge({
      name: 'gauntlet_gateway_routable_batchers',
      help: 'Batchers that are ready and not ejected',
      registers: [this.registry],
      collect() {
        this.set(routableBatchers());
      },
    });
    collectDefaultMetrics({ register: this.registry });
    registerEventLoopDelay(this.registry);
  }
}
