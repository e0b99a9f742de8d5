import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineExperiment } from '../chaos/experiment/define-experiment.js';
import type { Experiment } from '../chaos/experiment/experiment-schema.js';
import { shippedExperiment } from '../chaos/experiments/shipped-experiments.js';
import { runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import type { StackHandle } from '../core/platform/platform.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

/**
 * Shipped experiments, shortened (5 s steady state, a 10 s fault at t+8 s, 30 s of load at 20 req/s), on the
 * real reference stack (3 etcd members, 4 workers on 2 nodes, 2 batchers, 1 gateway), each on a fresh stack.
 * worker-kill, worker-node-kill, batcher-kill and gpu-crash restart a service, and a restarted service's URL
 * is read from its previous ready line until the local platform reads only the new one: add them here then.
 */
const experiments = ['worker-node-freeze', 'etcd-leader-kill'];

function shortened(experiment: Experiment): Experiment {
  return defineExperiment({
    ...experiment,
    steadyState: { ...experiment.steadyState, windowS: 5 },
    load: { ...experiment.load, durationS: 30 },
    faults: experiment.faults.map((f) => ({
      ...f,
      at: 8,
      ...(f.durationS === undefined ? {} : { durationS: 10 }),
    })),
  });
}

describe('shipped chaos experiments on the real local stack', () => {
  let stack: StackHandle | undefined;

  beforeAll(() => {
    useTempGauntletHome();
  });

  beforeEach(async () => {
    stack = await upLocalStack('', { readyTimeoutMs: 30_000 });
  }, 60_000);

  afterEach(async () => {
    await stack?.down();
    stack = undefined;
    expect(aliveProcesses()).toEqual([]);
  });

  for (const id of experiments) {
    it(`${id}: meets its documented expectations and leaves nothing behind`, async () => {
      const s = stack as StackHandle;
      const experiment = shortened(shippedExperiment(id));
      const result = await runExperiment(experiment, {
        stack: s,
        load: new FetchLoad({ model: s.config.model_name }),
        outDir: join(s.runDir, 'chaos', id),
      });
      const fault = result.faults[0];
      const summary = JSON.stringify({
        status: result.status,
        reasons: result.reasons,
        audit: result.audit,
        fault: { ...fault, windows: undefined },
      });
      expect(result.status, summary).toBe('completed');
      expect(fault?.injectedAt, summary).not.toBeNull();
      expect(fault?.detection, summary).toBe('detected');
      expect(fault?.failedTotal, summary).toBe(0);
      expect(result.audit, summary).toEqual([]);
      expect(result.verdict, summary).toBe('pass');
      expect(await Promise.all(s.components().map((c) => c.state()))).not.toContain('stopped');
    }, 120_000);
  }
});
