import { describe, expect, it } from 'vitest';
import { loadSloFile } from '../../reports/slo/load-slos.js';
import { suites } from './suites.js';

const options = (name: string, rate: number) => {
  const suite = suites[name];
  if (!suite) throw new Error(name);
  return {
    suite,
    o: {
      rate,
      seed: 1,
      endpointMix: 'infer:0.5,chat_stream:0.5',
      maxTokens: 8,
      slos: loadSloFile(suite.sloFile),
    },
  };
};

describe('gate suites are sized from their SLOs', () => {
  it('gives the quick suite enough steady requests for both p99s at the default rate', () => {
    const { suite, o } = options('quick', 25);
    const [load] = suite.parts(o);
    // 563 samples per endpoint at share 1/2 (with a two-sigma margin): 1,196 steady requests.
    expect(load?.durationS).toBe(48);
    expect(suites.failover?.parts(o)[0]?.durationS).toBe(48);
    // A slower rate runs longer rather than ending inconclusive.
    expect(suite.parts({ ...o, rate: 10 })[0]?.durationS).toBe(120);
  });

  it('lengthens the release suite for its 0.1 % error rate over all parts and its spike recovery', () => {
    const { suite, o } = options('release', 25);
    const parts = suite.parts(o);
    expect(parts.map((p) => [p.scenario, p.durationS])).toEqual([
      ['smoke', 10],
      ['load', 60],
      ['spike', 20],
    ]);
    const slow = suite.parts({ ...o, rate: 10 });
    // At 10 req/s all parts plan ~2,070 requests; the 3,838 the error rate needs come from a longer load.
    expect(slow[1]?.durationS).toBeGreaterThan(60);
    expect(slow[2]?.env?.RECOVERY).toBe('120s');
  });
});
