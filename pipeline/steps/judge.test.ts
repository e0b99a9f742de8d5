import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../../chaos/run-experiment.js';
import { SampleCollector } from '../../reports/collector/sample-collector.js';
import { syntheticSamples } from '../../reports/collector/synthetic-samples.js';
import type { ScenarioRecord } from '../../reports/run-result.js';
import { gateFailoverExperiment } from '../gate/failover-part.js';
import type { PipelineOptions } from '../pipeline-options.js';
import { judge } from './judge.js';
import type { RunState } from './run-state.js';

const experiment = gateFailoverExperiment();

/** An experiment that passed with no faults measured: only the verdict and the ids matter to judge(). */
function passedExperiment(): ExperimentResult {
  return {
    experimentId: experiment.id,
    title: experiment.title,
    expectedOutcome: experiment.expectedOutcome,
    status: 'completed',
    verdict: 'pass',
    reasons: [],
    startedAt: 0,
    endedAt: 0,
    loadStartMs: 0,
    loadEndMs: 0,
    steadyState: null,
    afterCheck: null,
    faults: [],
    rollbackErrors: [],
    sweeps: [],
    audit: [],
    journal: { faults: [], notes: [] },
    requests: 0,
    cancelledIds: [],
    malformedLines: 0,
    samplesFile: null,
  };
}

function state(droppedIterations: number): RunState {
  const collector = new SampleCollector();
  for (const s of syntheticSamples({ samples: 200, scenario: 'load' }))
    collector.ingestLine(JSON.stringify(s));
  const scenario: ScenarioRecord = {
    name: 'load',
    executor: 'constant-arrival-rate',
    targetRate: 20,
    achievedRate: 20,
    droppedIterations,
    maxSchedulingLagMs: null,
    durationS: 10,
    phases: [],
  };
  return {
    startedAt: new Date().toISOString(),
    collector,
    scenarios: [scenario],
    experiments: [passedExperiment()],
    notes: [],
    complete: true,
    stack: undefined,
    scraper: undefined,
    prometheus: undefined,
    failure: undefined,
  };
}

const options: PipelineOptions = {
  parts: [{ kind: 'faults', experiment, seed: 1, maxTokens: 16 }],
  target: { url: 'http://127.0.0.1:9' },
  slos: [],
  outDir: '/tmp/unused',
  command: ['gauntlet', 'chaos'],
  runOptions: {},
};

const noServerMetrics = { scrapeIntervalMs: null, series: [], source: { kind: 'scrape' as const } };

describe('judge', () => {
  it("passes an experiment that passed on the generator's schedule", () => {
    const s = state(0);
    expect(
      judge(options, s, { samples: s.collector.result(), points: [], serverMetrics: noServerMetrics })
        .verdict,
    ).toBe('pass');
  });

  it('makes a passed experiment inconclusive when the load generator fell behind', () => {
    const s = state(100);
    const run = judge(options, s, {
      samples: s.collector.result(),
      points: [],
      serverMetrics: noServerMetrics,
    });
    expect(run.verdict).toBe('inconclusive');
    expect(run.notes.join('\n')).toMatch(/load generator fell behind/);
  });
});
