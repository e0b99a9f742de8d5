import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/random/prng.js';
import { type CollectorResult, SampleCollector } from '../collector/sample-collector.js';
import { evaluateSlos, type LoadInfo, STRADDLES } from './evaluate-slos.js';
import { loadDefaultSlos } from './load-slos.js';
import type { Slo } from './slo-schema.js';
import { collectSynthetic, onSchedule } from './test-fixtures.js';

const inferP99: Slo = {
  id: 'infer-p99',
  metric: 'e2e',
  endpoint: 'infer',
  stat: 'p99',
  op: '<',
  threshold: 300,
};
const ttftP99: Slo = {
  id: 'ttft-p99',
  metric: 'ttft',
  endpoint: 'chat_stream',
  stat: 'p99',
  op: '<',
  threshold: 300,
};
const errorRate: Slo = { id: 'errors', metric: 'error_rate', op: '<', threshold: 0.001 };

describe('evaluateSlos', () => {
  it('passes a healthy run on the shipped defaults', () => {
    // infer p99 is ~90 ms, TTFT p99 ~75 ms, no errors.
    const result = collectSynthetic({ samples: 30_000, seed: 1, errorRate: 0 });
    const evaluation = evaluateSlos(loadDefaultSlos(), result, onSchedule(result));
    expect(evaluation.slos.map((s) => [s.id, s.verdict])).toEqual([
      ['infer-p99-e2e', 'pass'],
      ['chat-stream-p99-ttft', 'pass'],
      ['error-rate', 'pass'],
      ['achieved-rate', 'pass'],
    ]);
    expect(evaluation.verdict).toBe('pass');
    const infer = evaluation.slos[0];
    expect(infer?.observed).toBeGreaterThan(60);
    expect(infer?.observed).toBeLessThan(130);
    expect(infer?.ci?.[0]).toBeLessThanOrEqual(infer?.observed ?? 0);
    expect(infer?.ci?.[1]).toBeGreaterThanOrEqual(infer?.observed ?? 0);
    expect(infer?.samples).toBeGreaterThan(11_000);
    expect(evaluation.loadGeneratorBehind).toBeNull();
  });

  it('fails a planted latency regression and names the SLO', () => {
    // 5x slower: infer p99 ~450 ms against a 300 ms threshold.
    const result = collectSynthetic({ samples: 10_000, seed: 2, latencyScale: 5, errorRate: 0 });
    const evaluation = evaluateSlos([inferP99, ttftP99], result, onSchedule(result));
    expect(evaluation.verdict).toBe('fail');
    const failed = evaluation.slos.find((s) => s.id === 'infer-p99');
    expect(failed?.verdict).toBe('fail');
    expect(failed?.ci?.[0]).toBeGreaterThan(300);
    expect(failed?.reason).toMatch(/^p99 e2e .* entirely violates < 300 ms$/);
  });

  it('fails on too few samples for a two-sided interval when even the lower bound violates', () => {
    const result = collectSynthetic({ samples: 300, seed: 3, latencyScale: 5, errorRate: 0 });
    const [verdict] = evaluateSlos([inferP99], result, onSchedule(result)).slos;
    expect(verdict?.verdict).toBe('fail');
    expect(verdict?.reason).toMatch(/even its lower 97.5% confidence bound .* violates < 300 ms/);
  });

  it('is inconclusive on too few samples for a p99', () => {
    const result = collectSynthetic({ samples: 300, seed: 3, errorRate: 0 });
    const [verdict] = evaluateSlos([inferP99], result, onSchedule(result)).slos;
    expect(verdict?.verdict).toBe('inconclusive');
    expect(verdict?.ci).toBeNull();
    expect(verdict?.reason).toMatch(
      /^too few samples \(n=1\d\d; a 95 % interval on p99 e2e needs >= 563 samples, \d+ s at this scope's [\d.]+ samples\/s\)$/,
    );
    // The need is a structured record, not only words.
    expect(verdict?.needed?.samples).toBe(563);
    expect(verdict?.needed?.ratePerS).toBeGreaterThan(0);
    expect(verdict?.needed?.durationS).toBe(
      Math.ceil(563 / (verdict?.needed?.ratePerS ?? Number.NaN)) || verdict?.needed?.durationS,
    );
  });

  it('still fails a latency SLO that the measured lower bound violates when the generator fell behind', () => {
    const result = collectSynthetic({ samples: 10_000, seed: 2, latencyScale: 5, errorRate: 0 });
    const behind: LoadInfo = { ...onSchedule(result), droppedIterations: 500 };
    const [verdict] = evaluateSlos([inferP99], result, behind).slos;
    expect(verdict?.verdict).toBe('fail');
    expect(verdict?.reason).toMatch(/fell behind, so the true latency is higher still/);
  });

  it('makes latency SLOs that would pass inconclusive when the load generator fell behind', () => {
    const result = collectSynthetic({ samples: 10_000, seed: 4, errorRate: 0 });
    const load: LoadInfo = { ...onSchedule(result), droppedIterations: 50 };
    const evaluation = evaluateSlos([inferP99, ttftP99, errorRate], result, load);
    expect(evaluation.slos.map((s) => s.verdict)).toEqual(['inconclusive', 'inconclusive', 'pass']);
    expect(evaluation.slos[0]?.reason).toBe(
      'load generator fell behind its schedule (50 of 10050 iterations dropped): latency figures are not trustworthy',
    );
    expect(evaluation.verdict).toBe('inconclusive');
    // 5 of 10 005 is under 0.1 %: trusted.
    const fine = evaluateSlos([inferP99], result, { ...load, droppedIterations: 5 });
    expect(fine.slos[0]?.verdict).toBe('pass');
    const lagging = evaluateSlos([inferP99], result, {
      ...load,
      droppedIterations: 0,
      maxSchedulingLagMs: 900,
    });
    expect(lagging.slos[0]?.reason).toMatch(/largest scheduling lag 900 ms > 100 ms/);
  });

  it('is inconclusive when the interval straddles the threshold', () => {
    const result = collectSynthetic({ samples: 5000, seed: 5, errorRate: 0 });
    const probe = evaluateSlos([inferP99], result, onSchedule(result)).slos[0];
    const atObserved: Slo = { ...inferP99, threshold: (probe?.observed ?? 1) * 1.01 };
    const verdict = evaluateSlos([atObserved], result, onSchedule(result)).slos[0];
    expect(verdict?.verdict).toBe('inconclusive');
    expect(verdict?.reason).toMatch(/straddles < [\d.]+ ms \(n=\d+\); about [\d,]+ samples would decide it/);
    expect(verdict?.needed?.samples).toBeGreaterThan(verdict?.samples ?? 0);
  });

  it('judges error rate by its Wilson interval', () => {
    const bad = collectSynthetic({ samples: 10_000, seed: 6, errorRate: 0.02 });
    expect(evaluateSlos([errorRate], bad, onSchedule(bad)).slos[0]?.verdict).toBe('fail');
    const clean = collectSynthetic({ samples: 10_000, seed: 6, errorRate: 0 });
    expect(evaluateSlos([errorRate], clean, onSchedule(clean)).slos[0]).toMatchObject({
      verdict: 'pass',
      observed: 0,
      samples: 10_000,
    });
    // No errors in 1000 requests cannot show a rate below 0.1 %: it says how many would.
    const small = collectSynthetic({ samples: 1000, seed: 6, errorRate: 0 });
    const undecided = evaluateSlos([errorRate], small, onSchedule(small)).slos[0];
    expect(undecided?.verdict).toBe('inconclusive');
    expect(undecided?.reason).toMatch(
      /^0 errors in 1,000 requests cannot show < 0.1 %: about 3,838 are needed at this error rate, \d+(\.\d)? (s|min) at this scope's [\d.]+ samples\/s$/,
    );
    expect(undecided?.needed?.samples).toBe(3838);
    expect(STRADDLES).toBe('confidence interval straddles the threshold');
  });

  it('compares achieved with target rate as a count', () => {
    const result = collectSynthetic({ samples: 2000, seed: 7 });
    const slo: Slo = { id: 'rate', metric: 'achieved_rate', op: '>=', threshold: 0.99 };
    const at = (achievedRate: number, targetRate: number | null) =>
      evaluateSlos([slo], result, { ...onSchedule(result), achievedRate, targetRate }).slos[0];
    expect(at(199, 200)?.verdict).toBe('pass');
    expect(at(190, 200)).toMatchObject({ verdict: 'fail', observed: 0.95 });
    expect(at(190, null)?.verdict).toBe('inconclusive');
  });

  it('scopes to a time window: a fault window fails while the whole run passes', () => {
    const result = collectSynthetic({
      samples: 20_000,
      seed: 8,
      ratePerS: 200,
      errorRate: 0,
      faults: [{ fromS: 40, toS: 60, errorRate: 0.2, latencyScale: 6 }],
    });
    const during: Slo = { ...inferP99, id: 'during', scope: { window: { fromS: 40, toS: 60 } } };
    const errorsDuring: Slo = {
      ...errorRate,
      id: 'errors-during',
      scope: { window: { fromS: 40, toS: 60 } },
    };
    const before: Slo = { ...inferP99, id: 'before', scope: { window: { fromS: 0, toS: 40 } } };
    const evaluation = evaluateSlos([during, errorsDuring, before], result, onSchedule(result));
    expect(evaluation.slos.map((s) => [s.id, s.verdict])).toEqual([
      ['during', 'fail'],
      ['errors-during', 'fail'],
      ['before', 'pass'],
    ]);
    const itl: Slo = {
      id: 'itl',
      metric: 'itl',
      stat: 'p99',
      op: '<',
      threshold: 50,
      scope: { window: { fromS: 0, toS: 10 } },
    };
    expect(evaluateSlos([itl], result, onSchedule(result)).slos[0]?.reason).toMatch(
      /itl is not kept per request/,
    );
  });

  it('counts goodput against the latency SLOs per request', () => {
    const result = collectSynthetic({ samples: 20_000, seed: 9, ratePerS: 200, errorRate: 0 });
    const goodput: Slo = { id: 'goodput', metric: 'goodput', op: '>=', threshold: 150 };
    const evaluation = evaluateSlos([inferP99, ttftP99, goodput], result, onSchedule(result));
    const verdict = evaluation.slos[2];
    // Nearly every request meets 300 ms, at ~200 req/s.
    expect(verdict?.verdict).toBe('pass');
    expect(verdict?.observed).toBeGreaterThan(180);
    expect(verdict?.observed).toBeLessThan(220);
    // A 30 ms e2e bound on infer makes ~80 % of infer requests (40 % of all) not good.
    const strict: Slo = { ...inferP99, id: 'strict', threshold: 30 };
    const low = evaluateSlos([strict, goodput], result, onSchedule(result)).slos[1];
    expect(low?.verdict).toBe('fail');
    expect(low?.observed).toBeLessThan(150);
  });

  it('reports an empty scope as too few samples and says so', () => {
    const result = collectSynthetic({ samples: 2000, seed: 10 });
    const typo: Slo = { ...inferP99, scope: { scenario: 'lod' } };
    expect(evaluateSlos([typo], result, onSchedule(result)).slos[0]?.reason).toBe(
      'too few samples (n=0; a 95 % interval on p99 e2e needs >= 563 samples); the scope matched no requests',
    );
  });

  it('leaves an SLO on an endpoint the mix never sends out of the verdict (not_applicable)', () => {
    const result = collectSynthetic({
      samples: 5000,
      seed: 11,
      errorRate: 0,
      endpointMix: { infer: 0, chat: 0, chat_stream: 1, completions: 0 },
    });
    const load: LoadInfo = { ...onSchedule(result), endpoints: ['chat_stream'] };
    const evaluation = evaluateSlos([inferP99, ttftP99], result, load);
    expect(evaluation.slos.map((s) => s.verdict)).toEqual(['not_applicable', 'pass']);
    expect(evaluation.slos[0]?.reason).toMatch(/the plan sends no infer requests/);
    expect(evaluation.verdict).toBe('pass');
    // Without a known mix an empty endpoint stays inconclusive: nothing says it was left out on purpose.
    expect(evaluateSlos([inferP99], result, onSchedule(result)).slos[0]?.verdict).toBe('inconclusive');
  });

  it('makes a missed achieved rate inconclusive when the generator itself started iterations late', () => {
    const result = collectSynthetic({ samples: 2000, seed: 7 });
    const slo: Slo = { id: 'rate', metric: 'achieved_rate', op: '>=', threshold: 0.99 };
    const late = evaluateSlos([slo], result, {
      ...onSchedule(result),
      achievedRate: 150,
      targetRate: 200,
      maxSchedulingLagMs: 450,
    }).slos[0];
    expect(late?.verdict).toBe('inconclusive');
    expect(late?.reason).toMatch(/the shortfall is the generator's, not the target's/);
  });

  it("judges a scenario's generator lag and drops against that scenario's own iterations", () => {
    const result = collectSynthetic({ samples: 10_000, seed: 12, errorRate: 0 });
    const scoped: Slo = { ...inferP99, scope: { scenario: 'load' } };
    const load: LoadInfo = {
      ...onSchedule(result),
      scenarios: {
        // 30 dropped of 100 iterations is behind, though 30 is under 0.1 % of the run's 10,000 samples.
        load: { ...onSchedule(result), droppedIterations: 30, iterations: 100 },
      },
    };
    expect(evaluateSlos([scoped], result, load).slos[0]?.reason).toMatch(/30 of 100 iterations dropped/);
  });

  it("makes latency verdicts inconclusive while the stack's host was overloaded, naming the service", () => {
    // 2.5x slower: p99 ~230 ms, over a 150 ms threshold, with the host 640 ms late for two seconds.
    const result = collectSynthetic({ samples: 10_000, seed: 13, errorRate: 0, latencyScale: 2.5 });
    const hostOverloads = [{ service: 'batcher-1', fromS: 10, toS: 12, maxDelayMs: 640 }];
    const strict: Slo = { ...inferP99, threshold: 150 };
    expect(evaluateSlos([strict], result, onSchedule(result)).slos[0]?.verdict).toBe('fail');
    const evaluation = evaluateSlos([strict, errorRate], result, onSchedule(result), { hostOverloads });
    expect(evaluation.slos[0]?.verdict).toBe('inconclusive');
    expect(evaluation.slos[0]?.reason).toMatch(
      /^the stack's host was overloaded: event-loop delay of batcher-1 up to 640 ms \(bound 100 ms\) at 10-12 s/,
    );
    // Errors are still errors: the error rate is judged as usual; and an overload only makes latency worse,
    // so a pass stands.
    expect(evaluation.slos[1]?.verdict).toBe('pass');
    const healthy = collectSynthetic({ samples: 10_000, seed: 13, errorRate: 0 });
    expect(evaluateSlos([inferP99], healthy, onSchedule(healthy), { hostOverloads }).slos[0]?.verdict).toBe(
      'pass',
    );
    // A fail within what the host delay can explain is inconclusive (a lagging generator alongside changes
    // nothing): 6x slower is a p99 ~540 ms, less than 300 + 640 ms.
    const slow = collectSynthetic({ samples: 10_000, seed: 13, errorRate: 0, latencyScale: 6 });
    const behind = { ...onSchedule(slow), droppedIterations: 500 };
    const starved = evaluateSlos([inferP99], slow, behind, { hostOverloads });
    expect(starved.slos[0]).toMatchObject({ verdict: 'inconclusive' });
    expect(starved.slos[0]?.reason).toMatch(/host was overloaded/);
    expect(evaluateSlos([inferP99], slow, onSchedule(slow)).slos[0]?.verdict).toBe('fail');
    // One larger than anything the host delay explains still fails: 12x slower, a p99 over a second.
    const slower = collectSynthetic({ samples: 10_000, seed: 13, errorRate: 0, latencyScale: 12 });
    const gross = evaluateSlos([inferP99], slower, onSchedule(slower), { hostOverloads }).slos[0];
    expect(gross?.verdict).toBe('fail');
    expect(gross?.reason).toMatch(/the host was overloaded meanwhile, but by less \(640 ms\)/);
    // A window that does not overlap the overload is judged as usual.
    const later: Slo = { ...inferP99, id: 'later', scope: { window: { fromS: 20, toS: 50 } } };
    expect(evaluateSlos([later], result, onSchedule(result), { hostOverloads }).slos[0]?.verdict).toBe(
      'pass',
    );
  });
});

describe('ITL intervals', () => {
  const itlP99: Slo = {
    id: 'itl-p99',
    metric: 'itl',
    endpoint: 'chat_stream',
    stat: 'p99',
    op: '<',
    threshold: 100,
  };

  /** 400 streams of 17 tokens; `paced` gives each stream its own pace (the gaps of one stream alike). */
  function streams(paced: boolean): CollectorResult {
    const random = mulberry32(11);
    const collector = new SampleCollector();
    let text = '';
    for (let i = 0; i < 400; i++) {
      const pace = 5 + 20 * random();
      const itl = Array.from({ length: 16 }, () => (paced ? pace + 0.05 * random() : 5 + 20 * random()));
      const e2e = 30 + itl.reduce((a, b) => a + b, 0);
      const sample = {
        id: `r${i}`,
        sc: 'load',
        ph: 'main',
        ep: 'chat_stream',
        t0: 1_000_000 + i * 10,
        e2e,
        ttft: 30,
        itl,
        ok: 1,
        st: 200,
        out: 17,
        in: 10,
      };
      text += `${JSON.stringify(sample)}\n`;
    }
    collector.ingestChunk(Buffer.from(text));
    return collector.result();
  }

  it('widens the interval when the gaps of one stream are alike, and says by how much', () => {
    const independent = evaluateSlos([itlP99], streams(false), onSchedule(streams(false))).slos[0];
    const correlated = evaluateSlos([itlP99], streams(true), onSchedule(streams(true))).slos[0];
    expect(independent?.reason).toMatch(/design effect 1\.\d\d/);
    expect(correlated?.reason).toMatch(
      /6,400 gaps from 400 streams count as 4\d\d \(design effect 1[56]\.\d\d\)/,
    );
    const width = (v: typeof correlated) => (v?.ci ? v.ci[1] - v.ci[0] : Number.NaN);
    // 400 effective values cannot bound a p99 two-sidedly (about 560 are needed); 6,400 can.
    expect(width(independent)).toBeLessThan(3);
    expect(correlated?.ci).toBeNull();
    expect(correlated?.verdict).toBe('inconclusive');
  });
});
