import type { CapacityResult, CapacityTopology, CapacityTrial } from '../capacity-result.js';

/** A constant-rate trial with a given p99 e2e (pass below 300 ms), for tests and trying the renderers. */
export function exampleTrial(rate: number, p99: number): CapacityTrial {
  const verdict = p99 < 300 ? 'pass' : 'fail';
  return {
    offeredRate: rate,
    achievedRate: rate * 0.998,
    durationS: 20,
    verdict,
    deciding: verdict === 'pass' ? null : `infer-p99-e2e: p99 ${p99} ms, CI [${p99 * 0.95}, ${p99 * 1.1}]`,
    e2eP50: { value: p99 / 2, ci: [p99 * 0.48, p99 * 0.52] },
    e2eP99: { value: p99, ci: [p99 * 0.95, p99 * 1.1] },
    outputTokensPerS: rate * 8,
    slos: [
      {
        id: 'infer-p99-e2e',
        verdict,
        observed: p99,
        ci: [p99 * 0.95, p99 * 1.1],
        threshold: 300,
        samples: rate * 10,
        reason: 'example',
      },
    ],
    runDir: `nodes-1/rate-${rate}`,
  };
}

/** A conclusive topology with a max rate and a failing step just above it. */
export function exampleTopology(nodes: number, maxRate: number): CapacityTopology {
  const step = Math.max(1, Math.round(maxRate * 0.05));
  return {
    name: `nodes=${nodes}`,
    nodes,
    gpus: nodes * 2,
    ramp: {
      startRate: 5,
      maxRate: maxRate * 2,
      durationS: 40,
      brokeAtRate: maxRate * 1.1,
      reason: 'p99 e2e over 300 ms for 3 s',
      runDir: `nodes-${nodes}/ramp`,
    },
    trials: [
      exampleTrial(Math.round(maxRate / 2), 120),
      exampleTrial(maxRate, 250),
      exampleTrial(maxRate + step, 420),
    ],
    maxRate,
    nextRate: maxRate + step,
    resolution: step,
    conclusive: true,
    reason: `pass at ${maxRate} req/s, fail at ${maxRate + step} req/s`,
    tokensPerSPerGpu: (maxRate * 8) / (nodes * 2),
    scalingEfficiency: 1,
    knee: { rate: maxRate + step, reason: 'example' },
  };
}

/** A whole capacity.json for two topologies, with model and headline. */
export function exampleCapacity(): CapacityResult {
  return {
    schemaVersion: 1,
    startedAt: '2026-11-30T18:00:00.000Z',
    endedAt: '2026-11-30T18:15:00.000Z',
    command: ['gauntlet', 'capacity', '--platform', 'local', '--topologies', 'nodes=1,2'],
    target: 'platform local',
    mix: 'infer:0.5,chat_stream:0.5',
    maxTokens: 8,
    slos: [{ id: 'infer-p99-e2e', metric: 'e2e', endpoint: 'infer', stat: 'p99', op: '<', threshold: 300 }],
    search: { resolutionPct: 5, budgetS: 900, usedS: 840, gaveUp: [], runs: 8 },
    topologies: [exampleTopology(1, 100), { ...exampleTopology(2, 180), scalingEfficiency: 0.9 }],
    model: {
      kind: 'power-law',
      formula: 'maxRate = 54.3 x gpus^0.848',
      a: 54.3,
      b: 0.848,
      fittedOn: ['nodes=1', 'nodes=2'],
      validation: {
        heldOut: 'nodes=2',
        fittedOn: ['nodes=1'],
        predicted: 200,
        measured: 180,
        errorPct: 11.1,
      },
      predictions: [{ nodes: 4, gpus: 8, predictedMaxRate: 324 }],
      note: 'A model, not a measurement.',
    },
    headline: {
      peak: 150,
      nodes: 2,
      headroomPct: 16.7,
      source: 'measured',
      sentence: 'for 150 req/s at p99 < 300 ms: 2 nodes (headroom 16.7 %)',
    },
    complete: true,
    notes: [],
  };
}
