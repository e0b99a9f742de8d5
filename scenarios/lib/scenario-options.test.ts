import { describe, expect, it } from 'vitest';
import { constantPhase, rampPhase } from './arrival-schedule.ts';
import { parseEndpointMix } from './endpoint-mix.ts';
import { arrivalScenarios, decimal, sloThresholds } from './scenario-options.ts';

const sizing = { expectedLatencyMs: 1_000, requestTimeoutMs: 30_000, maxVUs: 500 };
const slo = { e2eP99Ms: 2_000, ttftP99Ms: 500, errorRate: 0.001 };

describe('arrivalScenarios', () => {
  it('runs phases back to back as named arrival-rate scenarios tagged with their phase', () => {
    const scenarios = arrivalScenarios(
      [
        constantPhase('warmup', 10, 5),
        constantPhase('none', 10, 0),
        rampPhase('ramp', 10, [{ durationS: 10, targetRps: 20 }]),
        constantPhase('steady', 2.5, 60),
      ],
      sizing,
    );
    expect(Object.keys(scenarios)).toEqual(['warmup', 'ramp', 'steady']);
    expect(scenarios.warmup).toEqual({
      executor: 'constant-arrival-rate',
      startTime: '0ms',
      gracefulStop: '35000ms',
      tags: { phase: 'warmup' },
      preAllocatedVUs: 17,
      maxVUs: 312,
      timeUnit: '1s',
      rate: 10,
      duration: '5000ms',
    });
    expect(scenarios.ramp).toMatchObject({
      executor: 'ramping-arrival-rate',
      startTime: '5000ms',
      startRate: 10,
      stages: [{ duration: '10000ms', target: 20 }],
      preAllocatedVUs: 32,
    });
    expect(scenarios.steady).toMatchObject({ startTime: '15000ms', timeUnit: '10s', rate: 25 });
  });

  it('refuses a plan with nothing to run or with twin phase names', () => {
    expect(() => arrivalScenarios([constantPhase('a', 1, 0)], sizing)).toThrow('nothing to run');
    expect(() => arrivalScenarios([constantPhase('a', 1, 1), constantPhase('a', 1, 1)], sizing)).toThrow(
      "two phases are named 'a'",
    );
  });
});

describe('sloThresholds', () => {
  it('scopes SLOs to phases and checks TTFT only when the mix streams', () => {
    expect(sloThresholds({ slo, endpointMix: parseEndpointMix('infer') }, { phases: ['steady'] })).toEqual({
      'gauntlet_e2e_ms{phase:steady}': ['p(99)<2000'],
      'gauntlet_errors{phase:steady}': ['rate<0.001'],
    });
    const streaming = sloThresholds(
      { slo, endpointMix: parseEndpointMix('infer,chat_stream') },
      { phases: [], abortOnFail: true, delayAbortEvalS: 15 },
    );
    expect(streaming).toEqual({
      gauntlet_e2e_ms: [{ threshold: 'p(99)<2000', abortOnFail: true, delayAbortEval: '15000ms' }],
      gauntlet_errors: [{ threshold: 'rate<0.001', abortOnFail: true, delayAbortEval: '15000ms' }],
      gauntlet_ttft_ms: [{ threshold: 'p(99)<500', abortOnFail: true, delayAbortEval: '15000ms' }],
    });
    expect(
      sloThresholds({ slo, endpointMix: parseEndpointMix('infer') }, { phases: [], noErrors: true })
        .gauntlet_errors,
    ).toEqual(['rate==0']);
  });

  it('writes numbers without exponents', () => {
    expect(decimal(1e-7)).toBe('0.0000001');
    expect(decimal(30_000)).toBe('30000');
    expect(decimal(0)).toBe('0');
    expect(decimal(0.25)).toBe('0.25');
  });
});
