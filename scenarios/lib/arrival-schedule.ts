/**
 * Load shapes as phases of an open model (arrival rate, not VU count), and the arithmetic k6's arrival-rate
 * executors use to place iterations in time, so that each iteration knows when it was *meant* to start.
 */

export interface ConstantPhase {
  name: string;
  kind: 'constant';
  rps: number;
  durationS: number;
}

export interface RampStage {
  durationS: number;
  targetRps: number;
}

export interface RampPhase {
  name: string;
  kind: 'ramp';
  startRps: number;
  stages: readonly RampStage[];
}

export type Phase = ConstantPhase | RampPhase;

export function constantPhase(name: string, rps: number, durationS: number): ConstantPhase {
  return { name, kind: 'constant', rps, durationS };
}

export function rampPhase(name: string, startRps: number, stages: readonly RampStage[]): RampPhase {
  return { name, kind: 'ramp', startRps, stages };
}

export function phaseDurationS(phase: Phase): number {
  if (phase.kind === 'constant') return phase.durationS;
  let total = 0;
  for (const stage of phase.stages) total += stage.durationS;
  return total;
}

export function peakRps(phase: Phase): number {
  if (phase.kind === 'constant') return phase.rps;
  let peak = phase.startRps;
  for (const stage of phase.stages) peak = Math.max(peak, stage.targetRps);
  return peak;
}

/**
 * Iterations a phase schedules in all (the area under its rate curve). A constant phase may start one
 * more, at exactly its end, when k6's ticker wins the race against the phase's deadline.
 */
export function plannedIterations(phase: Phase): number {
  if (phase.kind === 'constant') return Math.ceil(phase.rps * phase.durationS - 1e-9);
  let area = 0;
  let from = phase.startRps;
  for (const stage of phase.stages) {
    area += (stage.durationS * (from + stage.targetRps)) / 2;
    from = stage.targetRps;
  }
  return Math.floor(area + 1e-9);
}

/**
 * When iteration `index` (0-based, k6's exec.scenario.iterationInTest) is due, in ms after the phase's
 * start; undefined past the phase's end. constant-arrival-rate starts iteration i at i / rate;
 * ramping-arrival-rate starts it when the area under the rate curve reaches i + 1 (k6's
 * RampingArrivalRateConfig.cal, solved per linear stage).
 */
export function scheduledOffsetMs(phase: Phase, index: number): number | undefined {
  if (phase.kind === 'constant') {
    const offsetS = index / phase.rps;
    // Inclusive: k6's ticker and the phase's end race at exactly durationS, so one more may start there.
    return offsetS <= phase.durationS + 1e-9 ? offsetS * 1000 : undefined;
  }
  const area = index + 1;
  let done = 0;
  let stageStartS = 0;
  let from = phase.startRps;
  for (const stage of phase.stages) {
    const d = stage.durationS;
    const to = stage.targetRps;
    const end = done + (d * (from + to)) / 2;
    if (area <= end + 1e-9 && d > 0) {
      const need = area - done;
      const x =
        from === to
          ? need / from
          : (from * d - Math.sqrt(Math.max(0, d * (from * from * d + 2 * need * (to - from))))) / (from - to);
      return (stageStartS + x) * 1000;
    }
    done = end;
    from = to;
    stageStartS += d;
  }
  return undefined;
}

/** How VUs are sized for one phase; see scenarios/README.md ("VU sizing"). */
export interface VuSizing {
  expectedLatencyMs: number;
  requestTimeoutMs: number;
  maxVUs: number;
}

/**
 * Little's law: a request holds its VU for its whole latency (k6/x/sse and k6/http block the VU), so
 * keeping `rate` requests a second in flight needs rate x latency VUs. preAllocatedVUs covers the expected
 * latency with 50 % headroom; maxVUs covers the worst case, every request running into its timeout (a hung
 * cluster), capped by MAX_VUS. Past maxVUs, k6 drops iterations and counts them in dropped_iterations,
 * which makes the run inconclusive instead of silently slowing the arrival rate.
 */
export function vuSizing(peak: number, sizing: VuSizing): { preAllocatedVUs: number; maxVUs: number } {
  const pre = Math.ceil(peak * (sizing.expectedLatencyMs / 1000) * 1.5) + 2;
  const worst = Math.ceil(peak * (sizing.requestTimeoutMs / 1000 + 1)) + 2;
  const maxVUs = Math.max(1, Math.min(sizing.maxVUs, Math.max(pre, worst)));
  return { preAllocatedVUs: Math.min(pre, maxVUs), maxVUs };
}

/**
 * k6 wants integer iterations per timeUnit: the smallest of 1s, 10s, 100s, 1000s that makes every rate of
 * the phase whole (rates with more decimals are rounded at 1000s).
 */
export function timeUnitFor(rates: readonly number[]): { timeUnitS: number; scale: (rps: number) => number } {
  for (const unit of [1, 10, 100, 1000]) {
    if (rates.every((rate) => Math.abs(rate * unit - Math.round(rate * unit)) < 1e-6)) {
      return { timeUnitS: unit, scale: (rps) => Math.round(rps * unit) };
    }
  }
  return { timeUnitS: 1000, scale: (rps) => Math.round(rps * 1000) };
}
