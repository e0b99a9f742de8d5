import type { DefectsConfig } from '../../core/config/cluster-config.js';

/**
 * The batcher's defect switches (stack/README.md, "Defect switches"): damage planted for verdict tests.
 *
 * - `batcher_ejection_disabled`: always in force; the batcher never takes a failing worker out of rotation,
 *   so a dead one keeps getting batches until its etcd lease expires and its record leaves the registry.
 * - `batcher_fail_share_after_return`: arms when a worker that had left this batcher's registry view (its
 *   lease expired or it deregistered) registers again, which is what a restart at an experiment's rollback
 *   looks like from here; from then on that share of the answers this batcher would deliver fail instead,
 *   without re-dispatch.
 */
export class BatcherDefects {
  private returned: string | undefined;

  constructor(
    private readonly config: Pick<
      DefectsConfig,
      'batcher_ejection_disabled' | 'batcher_fail_share_after_return'
    >,
    /** PRNG in [0, 1): seeded, so a rerun fails the same answers. */
    private readonly random: () => number,
    private readonly log: (message: string) => void = () => {},
  ) {}

  get ejectionDisabled(): boolean {
    return this.config.batcher_ejection_disabled;
  }

  /** A worker this batcher had lost registered again. */
  noteWorkerReturned(workerId: string): void {
    if (this.returned !== undefined) return;
    this.returned = workerId;
    const share = this.config.batcher_fail_share_after_return;
    if (share > 0)
      this.log(`defect armed (worker ${workerId} came back): failing ${share * 100} % of answers`);
  }

  /** Whether this finished answer is to fail instead (one draw per answer once armed). */
  failsAnswer(): boolean {
    const share = this.config.batcher_fail_share_after_return;
    return this.returned !== undefined && share > 0 && this.random() < share;
  }
}
