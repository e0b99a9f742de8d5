/**
 * Events per second over the last few whole seconds, in a ring of per-second counters: O(1) per event and
 * no allocation. The batcher uses it for its queue drain rate, the basis of Retry-After.
 */
export class RateMeter {
  private readonly counts: number[];
  private readonly seconds: number[];

  constructor(
    private readonly windowS = 5,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.counts = new Array<number>(windowS).fill(0);
    this.seconds = new Array<number>(windowS).fill(-1);
  }

  add(count: number): void {
    const second = Math.floor(this.nowMs() / 1000);
    const index = second % this.windowS;
    if (this.seconds[index] !== second) {
      this.seconds[index] = second;
      this.counts[index] = 0;
    }
    this.counts[index] = (this.counts[index] ?? 0) + count;
  }

  /** Events per second over the window, counting the current partial second as a full one. */
  perSecond(): number {
    const now = Math.floor(this.nowMs() / 1000);
    let total = 0;
    for (let i = 0; i < this.windowS; i++) {
      const second = this.seconds[i] ?? -1;
      if (second > now - this.windowS) total += this.counts[i] ?? 0;
    }
    return total / this.windowS;
  }
}
