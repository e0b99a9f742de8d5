import type { ComponentHandle, StackHandle } from '../../core/platform/platform.js';
import { parsePrometheusText, sumOf } from '../../runner/collectors/prometheus-text.js';
import { ScaleDecider, type ScalePolicy } from './scale-decision.js';

/** One change of the serving batchers: when, from how many to how many, and the signal that asked for it. */
export interface ScaleEvent {
  atMs: number;
  from: number;
  to: number;
  averageQueue: number;
}

/**
 * The seed's autoscaler on the local stack: the stack runs `batchers.replicas` batchers, this controller
 * keeps between `min_replicas` and all of them serving. Every interval it reads the queue of each serving
 * batcher (`gauntlet_batcher_queue_depth`), asks the HPA-like decider (scale-decision.ts) how many should
 * serve, and starts parked batchers (`restart()`, ready when it resolves) or drains the last ones
 * (`kill('SIGTERM')`: a batcher finishes what it holds and deregisters, so the gateway stops routing to it).
 * It uses only the platform contract, so it runs on any platform whose components can be stopped and
 * restarted.
 */
export class BatcherAutoscaler implements AsyncDisposable {
  readonly events: ScaleEvent[] = [];
  /** [Unix ms, serving batchers], at every decision. */
  readonly replicas: Array<[number, number]> = [];
  private readonly batchers: ComponentHandle[];
  private serving: number;
  private readonly decider: ScaleDecider;
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private stopped = false;

  private constructor(
    private readonly stack: StackHandle,
    policy: ScalePolicy,
    private readonly intervalMs: number,
    private readonly log: (message: string) => void,
  ) {
    // A stable order: batcher-0 serves first and drains last.
    this.batchers = stack.components({ role: 'batcher' }).sort((a, b) => a.id.localeCompare(b.id));
    this.serving = this.batchers.length;
    this.decider = new ScaleDecider(policy);
  }

  /** Parks the batchers beyond `min_replicas` (before any load), then decides every interval. */
  static async start(stack: StackHandle, log: (message: string) => void): Promise<BatcherAutoscaler> {
    const settings = stack.config.batchers.autoscale;
    const scaler = new BatcherAutoscaler(
      stack,
      {
        min: settings.min_replicas,
        max: stack.config.batchers.replicas,
        target: settings.target_queue_per_replica,
        scaleInAfterMs: settings.scale_in_after_s * 1000,
      },
      settings.interval_ms,
      log,
    );
    await scaler.scaleTo(settings.min_replicas, 0);
    scaler.replicas.push([Date.now(), scaler.serving]);
    log(`autoscaler: ${scaler.serving} of ${scaler.batchers.length} batchers serving`);
    scaler.timer = setInterval(() => {
      if (!scaler.busy && !scaler.stopped)
        scaler.busy = scaler.tick().finally(() => (scaler.busy = undefined));
    }, settings.interval_ms);
    return scaler;
  }

  get servingCount(): number {
    return this.serving;
  }

  private async tick(): Promise<void> {
    const queues = await Promise.all(this.batchers.slice(0, this.serving).map((b) => this.queueOf(b)));
    const known = queues.filter((q): q is number => q !== undefined);
    const average = known.length > 0 ? known.reduce((sum, q) => sum + q, 0) / known.length : 0;
    const desired = this.decider.decide(Date.now(), this.serving, average);
    if (desired !== this.serving && !this.stopped) await this.scaleTo(desired, average);
    this.replicas.push([Date.now(), this.serving]);
  }

  private async queueOf(batcher: ComponentHandle): Promise<number | undefined> {
    if (!batcher.url) return undefined;
    try {
      const url = await this.stack.reach(batcher.url);
      const response = await fetch(`${url}/metrics`, {
        signal: AbortSignal.timeout(Math.min(800, this.intervalMs)),
      });
      return sumOf(parsePrometheusText(await response.text()), 'gauntlet_batcher_queue_depth');
    } catch {
      return undefined;
    }
  }

  private async scaleTo(desired: number, averageQueue: number): Promise<void> {
    const from = this.serving;
    if (desired > from) {
      // Out: the parked ones start together; each counts once it is ready.
      await Promise.all(this.batchers.slice(from, desired).map((b) => b.restart()));
    } else if (desired < from) {
      // In: the last ones drain (they finish what they hold), as a Deployment scaled down does.
      await Promise.all(this.batchers.slice(desired, from).map((b) => b.kill('SIGTERM')));
    }
    this.serving = desired;
    if (desired !== from) {
      this.events.push({ atMs: Date.now(), from, to: desired, averageQueue });
      this.log(`autoscaler: ${from} -> ${desired} batchers (queue ${averageQueue.toFixed(1)} per batcher)`);
    }
  }

  /** Stops deciding; the batchers stay as they are (the stack's teardown stops them all). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.busy;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
