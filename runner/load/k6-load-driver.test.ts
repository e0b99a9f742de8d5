import { describe, expect, it } from 'vitest';
import type { K6Summary } from '../k6/k6-summary.js';
import { generatorWarnings } from './generator-warnings.js';
import { scenarioEnv, validateLoadPlan } from './k6-load-driver.js';
import type { LoadPlan } from './load-driver.js';

const plan: LoadPlan = {
  scenario: 'load',
  target: 'http://127.0.0.1:8080',
  apiKey: 'secret',
  rate: 12.5,
  durationS: 90,
  seed: 4,
  endpointMix: { infer: 1, chat_stream: 3 },
  maxTokens: 32,
  outDir: '/tmp/runs/2024-01-01-load',
};

describe('K6LoadDriver plans', () => {
  it('turns a plan into the scenario variables, overrides last', () => {
    expect(scenarioEnv(plan)).toEqual({
      GAUNTLET_TARGET: 'http://127.0.0.1:8080',
      GAUNTLET_API_KEY: 'secret',
      RATE: '12.5',
      DURATION: '90s',
      SEED: '4',
      ENDPOINT_MIX: 'infer:1,chat_stream:3',
      MAX_TOKENS: '32',
      GAUNTLET_RUN_ID: '2024-01-01-load',
    });
    const env = scenarioEnv({
      ...plan,
      endpointMix: 'chat',
      runId: 'r1',
      env: { RATE: '1', PROMPTS: 'data/p.jsonl' },
    });
    expect(env).toMatchObject({ ENDPOINT_MIX: 'chat', GAUNTLET_RUN_ID: 'r1', RATE: '1' });
    expect(env.PROMPTS).toBe(`${process.cwd()}/data/p.jsonl`);
  });

  it('refuses a bad plan naming the field, the value and what is allowed', () => {
    expect(() => validateLoadPlan(plan)).not.toThrow();
    expect(() => validateLoadPlan({ ...plan, scenario: 'ramp' as LoadPlan['scenario'] })).toThrow(
      'LoadPlan.scenario must be one of smoke, load, stress, spike, soak, breakpoint, replay, got "ramp"',
    );
    expect(() => validateLoadPlan({ ...plan, rate: 0 })).toThrow('LoadPlan.rate must be a number > 0');
    expect(() => validateLoadPlan({ ...plan, target: 'http://10.1.2.3:80' })).toThrow(
      'LoadPlan.target must be a loopback URL',
    );
    expect(() =>
      validateLoadPlan({
        ...plan,
        target: 'http://172.17.0.2:80',
        env: { GAUNTLET_ALLOW_NON_LOOPBACK: 'true' },
      }),
    ).not.toThrow();
    expect(() => validateLoadPlan({ ...plan, target: 'http://[::1]:8080' })).not.toThrow();
    expect(() => validateLoadPlan({ ...plan, seed: -1 })).toThrow('LoadPlan.seed must be an integer');
    expect(() =>
      validateLoadPlan({ ...plan, endpointMix: { embeddings: 1 } as LoadPlan['endpointMix'] }),
    ).toThrow('LoadPlan.endpointMix.embeddings must be one of infer, chat, chat_stream, completions');
  });
});

describe('generatorWarnings', () => {
  const summary: K6Summary = {
    iterations: 990,
    droppedIterations: 0,
    httpReqs: 990,
    vusMax: 40,
    scheduleLagMs: { avg: 1, min: 0, med: 1, max: 9, p90: 2, p95: 3, p99: 4, count: 990 },
    trends: {},
    thresholds: [],
  };

  it('is silent when the generator kept its schedule', () => {
    expect(generatorWarnings(summary)).toEqual([]);
  });

  it('says when iterations were dropped or started late, or when nothing is known', () => {
    const lagging = {
      ...summary,
      droppedIterations: 10,
      scheduleLagMs: { ...summary.scheduleLagMs, p99: 80, max: 120 },
    } as K6Summary;
    // The default limit is the verdicts' own; the largest lag counts, not the p99.
    const warnings = generatorWarnings(lagging);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^k6 dropped 10 of 1000 scheduled iterations .*40 VUs at most/);
    expect(warnings[1]).toBe(
      'iterations started late against the arrival schedule: max 120.0 ms, p99 80.0 ms (limit 100 ms); the load generator was short of CPU',
    );
    const oneLate = {
      ...summary,
      scheduleLagMs: { ...summary.scheduleLagMs, p99: 4, max: 400 },
    } as K6Summary;
    expect(generatorWarnings(oneLate)).toHaveLength(1);
    expect(generatorWarnings(undefined)).toEqual([
      'k6 wrote no summary: dropped iterations and scheduling lag are unknown',
    ]);
  });
});
