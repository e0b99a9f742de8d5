import { durationNeeded } from '../../reports/slo/sample-sizing.js';
import type { ExperimentInput } from '../experiment/experiment-schema.js';
import type { Slo } from '../experiment/slo.js';

/**
 * What every shipped experiment holds the reference stack to: the release gate's SLOs and request shapes
 * (reports/slo/release-gate-slos.yaml, `gauntlet gate`'s defaults): p99 e2e < 300 ms for /infer and p99
 * TTFT < 300 ms for streamed chats, half of each, 8 output tokens a request. The error rate is judged at
 * < 1 % per window (a window of a few thousand requests cannot show the gate's < 0.1 %: that needs 3,838
 * clean ones); every fault's own expectation of 0 failed requests is the stricter check.
 */
export const referenceSlos = [
  { id: 'infer-p99-e2e', metric: 'e2e', endpoint: 'infer', stat: 'p99', op: '<', threshold: 300 },
  {
    id: 'chat-stream-p99-ttft',
    metric: 'ttft',
    endpoint: 'chat_stream',
    stat: 'p99',
    op: '<',
    threshold: 300,
  },
  { id: 'error-rate', metric: 'error_rate', op: '<', threshold: 0.01 },
] satisfies Slo[];

/** The release gate's default mix (`infer:0.5,chat_stream:0.5`) and output length. */
export const referenceMix = { infer: 0.5, chat_stream: 0.5 };
export const referenceMaxTokens = 8;

/**
 * 50 req/s: twice the gate's rated rate, so a window that a healthy stack passes conclusively stays short,
 * and still far inside the reference stack's modelled capacity (~150 req/s) with a worker or a batcher down.
 */
export const referenceRate = 50;

/**
 * A window holds fewer requests than its length times the rate: the "before" window leaves out those still
 * in flight when the fault hits, and a failed request is no latency sample. One second more (~25 requests
 * per endpoint, 1.5 standard deviations of the mix's draw) keeps a healthy window from ending a sample or
 * two short: the docker gate's failover part read inconclusive on 562 of 563 p99 samples without it.
 */
export const windowEdgeMarginS = 1;

/**
 * Every window (steady state, before, recovery, after-check) is as long as a p99 of each endpoint needs at
 * this rate and mix (reports/slo/sample-sizing.ts: 563 successful samples each, 1,196 requests at half each
 * with a two-sigma margin for the draw), plus the edge margin: 25 s at 50 req/s.
 */
export const referenceWindowS =
  durationNeeded(referenceSlos, referenceMix, referenceRate).durationS + windowEdgeMarginS;

/**
 * Load before the steady-state window: a stack's first seconds (connections opened, code not yet optimised
 * by V8, empty batches) are slower than its steady state, as the gate's WARMUP phase also allows for.
 */
export const referenceWarmupS = 10;

/** Faults start right after the steady-state window (which follows the warm-up) and last at most this long. */
export const referenceFaultAt = referenceWarmupS + referenceWindowS;
export const referenceMaxFaultS = 20;

export const referenceSteadyState = {
  slos: referenceSlos,
  windowS: referenceWindowS,
} satisfies ExperimentInput['steadyState'];

/**
 * The warm-up, the steady state, the fault (up to 20 s), a window's room for the recovery after it, and the
 * after-check: 105 s at 50 req/s, ~5,250 requests.
 */
export const referenceLoad = {
  scenario: 'load',
  rate: referenceRate,
  durationS: referenceFaultAt + referenceMaxFaultS + 2 * referenceWindowS,
  endpointMix: referenceMix,
} satisfies ExperimentInput['load'];

/** Stop everything when half the requests of 5 s fail: the stack is down, not degraded. */
export const safetyAbort = [
  { when: 'error_rate_above', threshold: 0.5, forS: 5 },
] satisfies ExperimentInput['abort'];
