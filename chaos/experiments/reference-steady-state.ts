import type { ExperimentInput } from '../experiment/experiment-schema.js';

/**
 * What every shipped experiment holds the reference stack to (2 nodes x 2 simulated A100 workers,
 * 2 batchers, 1 gateway, 3 etcd members; 16 output tokens a request, so a healthy request takes ~0.25 s).
 */
export const referenceSteadyState = {
  slos: [
    { id: 'e2e-p99', metric: 'e2e', stat: 'p99', op: '<', threshold: 2_000 },
    { id: 'error-rate', metric: 'error_rate', op: '<', threshold: 0.01 },
  ],
  windowS: 10,
} satisfies ExperimentInput['steadyState'];

/** 20 req/s of the `load` scenario for 60 s: faults at t+20 s leave 20 s after a 20 s fault. */
export const referenceLoad = { scenario: 'load', rate: 20, durationS: 60 } satisfies ExperimentInput['load'];

/** Stop everything when half the requests of 5 s fail: the stack is down, not degraded. */
export const safetyAbort = [
  { when: 'error_rate_above', threshold: 0.5, forS: 5 },
] satisfies ExperimentInput['abort'];
