/**
 * The search's clock: each topology gets an equal share of what is left, and a run starts only when its
 * estimated cost fits in that share. A run's cost is its scheduled load plus an overhead (bring-up, k6
 * start, reports, teardown) learnt from the runs so far.
 */
export class CapacityBudget {
  readonly #startedMs: number;
  readonly #budgetS: number;
  readonly #now: () => number;
  #overheadS: number;
  #topologyDeadlineS = 0;

  constructor(budgetS: number, options: { initialOverheadS?: number; now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#startedMs = this.#now();
    this.#budgetS = budgetS;
    this.#overheadS = options.initialOverheadS ?? 15;
  }

  get usedS(): number {
    return (this.#now() - this.#startedMs) / 1000;
  }

  get leftS(): number {
    return Math.max(0, this.#budgetS - this.usedS);
  }

  /** Starts a topology's share: what is left, split evenly over the topologies still to measure. */
  startTopology(topologiesLeft: number): number {
    const share = this.leftS / Math.max(1, topologiesLeft);
    this.#topologyDeadlineS = this.usedS + share;
    return share;
  }

  get topologyLeftS(): number {
    return Math.max(0, this.#topologyDeadlineS - this.usedS);
  }

  /** Estimated wall seconds of a run whose load is scheduled for `loadS` seconds. */
  costS(loadS: number): number {
    return loadS + this.#overheadS;
  }

  fits(loadS: number): boolean {
    return this.costS(loadS) <= this.topologyLeftS;
  }

  /** Learns the overhead from a finished run (a moving average, never below 3 s). */
  record(loadS: number, wallS: number): void {
    this.#overheadS = Math.max(3, 0.5 * this.#overheadS + 0.5 * (wallS - loadS));
  }
}
