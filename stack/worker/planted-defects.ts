import type { DefectsConfig } from '../../core/config/cluster-config.js';
import type { ActiveFaults, FaultState } from './fault-state.js';

/**
 * The worker's defect switches (stack/README.md, "Defect switches"): damage planted for verdict tests, armed
 * by something the worker itself sees happen, so the damage starts "after the fault" of an experiment.
 *
 * - `worker_never_answers_share` arms when this process is a restart (`noteRestart`, from main.ts).
 * - `worker_slowdown_after_fault` arms when a GPU fault set through the admin API is cleared again (the
 *   experiment's rollback); the admin API still shows a healthy GPU, only the steps are slower.
 */
export class WorkerDefects {
  private restarted = false;
  private faultCleared = false;

  constructor(
    private readonly config: Pick<
      DefectsConfig,
      'worker_never_answers_share' | 'worker_slowdown_after_fault'
    >,
    /** PRNG in [0, 1), its own stream, so a switch never changes which sequences `errorRate` fails. */
    private readonly random: () => number,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Whether any switch is on (then main.ts looks up whether this start is a restart). */
  get anyOn(): boolean {
    return this.config.worker_never_answers_share > 0 || this.config.worker_slowdown_after_fault > 1;
  }

  /** This process is not the first start of its worker id. */
  noteRestart(): void {
    if (this.restarted) return;
    this.restarted = true;
    const share = this.config.worker_never_answers_share;
    if (share > 0) this.log(`defect armed (restart): never answering ${share * 100} % of sequences`);
  }

  /** Arms the slowdown when the faults go from some active to none; returns the unsubscribe. */
  watch(faults: FaultState): () => void {
    return faults.onChange((next, previous) => {
      if (this.faultCleared || !isFaulty(previous) || isFaulty(next)) return;
      this.faultCleared = true;
      const factor = this.config.worker_slowdown_after_fault;
      if (factor > 1) this.log(`defect armed (GPU fault cleared): every step ${factor}x slower from now on`);
    });
  }

  /** Multiplies every step's time: the planted slowdown once armed, else 1. */
  slowdown(): number {
    return this.faultCleared ? this.config.worker_slowdown_after_fault : 1;
  }

  /** Whether this sequence is to be accepted and never answered (one draw per sequence once armed). */
  neverAnswers(): boolean {
    const share = this.config.worker_never_answers_share;
    return this.restarted && share > 0 && this.random() < share;
  }
}

function isFaulty(faults: ActiveFaults): boolean {
  return faults.slowdown > 1 || faults.errorRate > 0 || faults.hang || faults.oom;
}
