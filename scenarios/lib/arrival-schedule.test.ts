import { describe, expect, it } from 'vitest';
import {
  constantPhase,
  plannedIterations,
  type RampPhase,
  rampPhase,
  scheduledOffsetMs,
  timeUnitFor,
  vuSizing,
} from './arrival-schedule.ts';

/** k6 v1.8.1's RampingArrivalRateConfig.cal (lib/executor/ramping_arrival_rate.go), one instance, in ms. */
function k6RampOffsetsMs(phase: RampPhase): number[] {
  const out: number[] = [];
  let stageStart = 0;
  let doneSoFar = 0;
  let endCount = 0;
  let from = phase.startRps / 1000;
  let i = 1;
  for (const stage of phase.stages) {
    const to = stage.targetRps / 1000;
    const dur = stage.durationS * 1000;
    if (from !== to) {
      endCount += dur * ((to - from) / 2 + from);
      for (; i <= endCount; i++) {
        const x =
          (from * dur -
            Math.sqrt(Math.max(0, dur * (from * from * dur + 2 * (i - doneSoFar) * (to - from))))) /
          (from - to);
        out.push(x + stageStart);
      }
    } else {
      endCount += dur * to;
      for (; i <= endCount; i++) out.push((i - doneSoFar) / to + stageStart);
    }
    doneSoFar = endCount;
    from = to;
    stageStart += dur;
  }
  return out;
}

describe('scheduledOffsetMs', () => {
  it('spaces constant-rate iterations 1/rate apart from 0', () => {
    const phase = constantPhase('steady', 50, 5);
    expect(scheduledOffsetMs(phase, 0)).toBe(0);
    expect(scheduledOffsetMs(phase, 1)).toBeCloseTo(20, 9);
    expect(scheduledOffsetMs(phase, 249)).toBeCloseTo(4980, 9);
    expect(scheduledOffsetMs(phase, 250)).toBeCloseTo(5000, 9);
    expect(scheduledOffsetMs(phase, 251)).toBeUndefined();
    expect(plannedIterations(phase)).toBe(250);
    expect(plannedIterations(constantPhase('x', 3, 1.5))).toBe(5);
  });

  it("matches k6's ramping-arrival-rate schedule, ramps and plateaus alike", () => {
    const phases = [
      rampPhase('ramp', 1, [{ durationS: 20, targetRps: 100 }]),
      rampPhase('down', 50, [
        { durationS: 3, targetRps: 50 },
        { durationS: 4, targetRps: 5 },
        { durationS: 2, targetRps: 0 },
      ]),
      rampPhase('from-zero', 0, [{ durationS: 10, targetRps: 20 }]),
    ];
    for (const phase of phases) {
      const reference = k6RampOffsetsMs(phase);
      expect(reference.length).toBe(plannedIterations(phase));
      reference.forEach((offset, index) => {
        expect(scheduledOffsetMs(phase, index)).toBeCloseTo(offset, 6);
      });
      expect(scheduledOffsetMs(phase, reference.length)).toBeUndefined();
    }
  });
});

describe('vuSizing', () => {
  it("pre-allocates for the expected latency and allows for every request's timeout", () => {
    expect(vuSizing(50, { expectedLatencyMs: 100, requestTimeoutMs: 10_000, maxVUs: 2_000 })).toEqual({
      preAllocatedVUs: 10,
      maxVUs: 552,
    });
    expect(vuSizing(500, { expectedLatencyMs: 2_000, requestTimeoutMs: 60_000, maxVUs: 1_000 })).toEqual({
      preAllocatedVUs: 1_000,
      maxVUs: 1_000,
    });
  });
});

describe('timeUnitFor', () => {
  it('keeps rates whole per time unit', () => {
    expect(timeUnitFor([50]).timeUnitS).toBe(1);
    const tenth = timeUnitFor([0.1, 2.5]);
    expect(tenth.timeUnitS).toBe(10);
    expect(tenth.scale(0.1)).toBe(1);
    expect(timeUnitFor([1 / 3]).timeUnitS).toBe(1000);
  });
});
