import { createLatencyHistogram, type LatencyHistogram, MICROS_PER_MS } from './latency-histogram.js';

/** 10 µs steps (the samples' 0.01 ms resolution) up to 40.95 ms: ITL and most TTFTs land here. */
const STEP_US = 10;
const SLOTS = 4096;

/**
 * Records latencies into an HDR histogram, with a plain count array in front for small values. Samples
 * carry 0.01 ms, so most ITL and TTFT values are exact multiples of 10 µs below 41 ms; counting those in an
 * array is an increment instead of HdrHistogram-js's log2/pow index arithmetic, and the counts are moved
 * into the histogram with recordValueWithCount when it is read. The histogram ends up exactly as if every
 * value had been recorded one by one.
 */
export class LatencyRecorder {
  private readonly hist = createLatencyHistogram();
  private readonly small = new Uint32Array(SLOTS);
  private smallTotal = 0;

  /** A latency in ms; negative, non-finite or absurd (>= 1e9 ms) values are not recorded. */
  recordMs(ms: number): void {
    if (!(ms >= 0 && ms < 1e9)) return;
    const us = Math.round(ms * MICROS_PER_MS);
    const slot = us / STEP_US;
    if (slot < SLOTS && (slot | 0) === slot) {
      this.small[slot] = (this.small[slot] ?? 0) + 1;
      this.smallTotal++;
    } else this.hist.recordValue(us);
  }

  get count(): number {
    return this.hist.totalCount + this.smallTotal;
  }

  /** The histogram with every value recorded so far (the live object: do not change it). */
  histogram(): LatencyHistogram {
    if (this.smallTotal > 0) {
      const small = this.small;
      for (let slot = 0; slot < SLOTS; slot++) {
        const count = small[slot] ?? 0;
        if (count > 0) this.hist.recordValueWithCount(slot * STEP_US, count);
      }
      small.fill(0);
      this.smallTotal = 0;
    }
    return this.hist;
  }

  reset(): void {
    this.small.fill(0);
    this.smallTotal = 0;
    this.hist.reset();
  }
}

/** One recorder per latency metric. */
export interface LatencyRecorders {
  e2e: LatencyRecorder;
  ttft: LatencyRecorder;
  itl: LatencyRecorder;
  tpot: LatencyRecorder;
}

export function latencyRecorders(): LatencyRecorders {
  return {
    e2e: new LatencyRecorder(),
    ttft: new LatencyRecorder(),
    itl: new LatencyRecorder(),
    tpot: new LatencyRecorder(),
  };
}

export function histogramsOf(recorders: LatencyRecorders): Record<keyof LatencyRecorders, LatencyHistogram> {
  return {
    e2e: recorders.e2e.histogram(),
    ttft: recorders.ttft.histogram(),
    itl: recorders.itl.histogram(),
    tpot: recorders.tpot.histogram(),
  };
}
