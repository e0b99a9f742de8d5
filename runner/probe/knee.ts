/** One closed-loop step: this many connections, and what came back. */
export interface ProbeStep {
  connections: number;
  throughputRps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/**
 * The knee of the latency curve: the last step before throughput stops growing (< 10 % more for the added
 * connections) or p99 latency more than doubles from the previous step. Pure, so it can be tested without
 * a server.
 */
export function findKnee(steps: readonly ProbeStep[]): ProbeStep | undefined {
  let knee = steps[0];
  for (let i = 1; i < steps.length; i++) {
    const prev = steps[i - 1];
    const cur = steps[i];
    if (!prev || !cur) break;
    const throughputGain = cur.throughputRps / Math.max(prev.throughputRps, 1e-9);
    const latencyGrowth = cur.p99Ms / Math.max(prev.p99Ms, 1e-9);
    if (throughputGain < 1.1 || latencyGrowth > 2 || cur.errors > 0) break;
    knee = cur;
  }
  return knee;
}
