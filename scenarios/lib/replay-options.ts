import type { GauntletConfig } from './config.ts';

/** k6's SharedIterationsScenario, without importing k6 (the scenario file type-checks it against Options). */
export interface SharedIterationsScenario {
  executor: 'shared-iterations';
  vus: number;
  iterations: number;
  maxDuration: string;
  gracefulStop: string;
  tags: { phase: string };
}

const ms = (seconds: number) => `${Math.round(seconds * 1000)}ms`;

/**
 * The replay as one k6 scenario. Why shared-iterations with a sleep until each request's offset, and not an
 * arrival-rate executor: constant- and ramping-arrival-rate place iteration i where the area under a rate
 * curve reaches i + 1, so a trace would have to be approximated by rate stages, and its bursts (several
 * requests in the same millisecond, then seconds of nothing) would be smeared over each stage; the schedule
 * error would be the approximation's, not the generator's. Here iteration i (k6 hands them out in order
 * from a shared counter) is fired at exactly the trace's offset i; a free VU takes the next index and sleeps
 * until it is due, so the error is the timer's wake-up (about a millisecond) as long as a VU is free.
 *
 * The cost: shared-iterations has a fixed VU pool, all initialised before the start (arrival-rate executors
 * can add VUs on the way). So the pool is sized from the trace itself, by Little's law as for the other
 * scenarios: the most requests the trace starts within one EXPECTED_LATENCY_MS window, with 50 % headroom
 * (a VU asleep until its request is due also counts), capped by MAX_VUS and the request count. When every VU
 * is busy anyway (a slow or hung target), requests start late instead of being dropped: the trace's count is
 * always sent, and the lateness is measured as schedule error (gauntlet_schedule_lag_ms), which makes the
 * verdicts inconclusive past the generator's limit, as for every scenario.
 *
 * Bounded in count (the schedule's requests) and time: maxDuration is the span plus one request timeout and
 * 5 s, and gracefulStop lets requests in flight at that point finish or time out.
 */
export function replayScenario(
  requests: number,
  spanS: number,
  peakPerLatencyWindow: number,
  config: Pick<GauntletConfig, 'requestTimeoutMs' | 'maxVUs'>,
): SharedIterationsScenario {
  const wanted = Math.ceil(peakPerLatencyWindow * 1.5) + 2;
  const vus = Math.max(1, Math.min(requests, config.maxVUs, wanted));
  const timeoutS = config.requestTimeoutMs / 1000;
  return {
    executor: 'shared-iterations',
    vus,
    iterations: requests,
    maxDuration: ms(spanS + timeoutS + 5),
    gracefulStop: ms(timeoutS + 5),
    tags: { phase: 'replay' },
  };
}
