import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineExperiment } from '../chaos/experiment/define-experiment.js';
import type { Experiment } from '../chaos/experiment/experiment-schema.js';
import { shippedExperiment } from '../chaos/experiments/shipped-experiments.js';
import type { FaultResult } from '../chaos/measure/measure-fault.js';
import { type ExperimentResult, runExperiment } from '../chaos/run-experiment.js';
import { FetchLoad } from '../chaos/testing/fetch-load.js';
import type { StackHandle } from '../core/platform/platform.js';
import type { SloVerdict } from '../reports/slo/evaluate-slos.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

/**
 * The damage matrix (issue 8, "planted damage is caught"): each defect switch of the reference stack
 * (stack/README.md, "Defect switches") on a real local stack, under the shipped experiment it damages, turns
 * that experiment's verdict to `fail` through the expectation it is meant to trip; with every switch off the
 * same experiments pass. Nothing is stubbed: real etcd, real services, a real open-loop load.
 *
 * The experiments are the shipped definitions, shortened in time only: 5 s of warm-up, 5 s windows (steady
 * state, after-check and recovery), the fault right after the steady state, rolled back 8 s later, and the load ends
 * one window after a 5 s margin past the rollback, so the after-check covers the seconds just after a
 * restart. The SLOs, targets and expectations are the shipped ones; the rate is the release gate's rated rate
 * (matrixRate), not the experiments' 50 req/s: on a 2-core host shared with the test runner, a healthy stack's
 * /infer p99 at 50 req/s read 450-690 ms over 5 s windows and failed the steady state before any fault. Every run uses a 6 s etcd lease
 * instead of 3 s, so that a dead worker left in rotation until its lease expires (batcher_ejection_disabled)
 * is clearly past worker-kill's maxDetectS of 2 s (with a 3 s lease, lease expiry alone lands at 2-3.5 s,
 * right on that limit), and the fault lasts longer than the lease, so the killed worker's record leaves the
 * registry before the restart brings it back (batcher_fail_share_after_return arms on that return).
 */

const windowS = 5;
/** Load before the steady-state window, which is the one just before the fault (a cold stack is slower). */
const warmupS = 5;
/** Requests a second: the gate's rated rate, which a healthy stack on a small host holds inside 300 ms. */
const matrixRate = 25;
const rolledBackAfterS = 8;
const afterRollbackMarginS = 5;
const matrixYaml = 'etcd:\n  lease_ttl_s: 6\n';

function shortened(experiment: Experiment): Experiment {
  return defineExperiment({
    ...experiment,
    steadyState: { ...experiment.steadyState, windowS },
    load: {
      ...experiment.load,
      rate: matrixRate,
      durationS: warmupS + windowS + rolledBackAfterS + afterRollbackMarginS + windowS,
    },
    faults: experiment.faults.map((fault) => ({
      ...fault,
      at: warmupS + windowS,
      ...(fault.durationS === undefined ? {} : { durationS: rolledBackAfterS }),
    })),
  });
}

/** The expectations a fault's judgement marked failed, from its structured checks. */
function failedExpectations(fault: FaultResult | undefined): string[] {
  return (fault?.checks ?? []).filter((check) => check.verdict === 'fail').map((check) => check.name);
}

/** The after-check's /infer p99 e2e verdict (the streams are judged by TTFT). */
function afterCheckE2e(result: ExperimentResult): SloVerdict | undefined {
  return result.afterCheck?.slos.find((s) => s.metric === 'e2e');
}

/** What a failure message shows: the verdict's reasons and each fault's, without the bulky windows. */
function summary(result: ExperimentResult): string {
  return JSON.stringify(
    {
      status: result.status,
      verdict: result.verdict,
      reasons: result.reasons,
      audit: result.audit,
      afterCheck: result.afterCheck?.slos.map((s) => ({
        id: s.id,
        observed: s.observed,
        samples: s.samples,
        verdict: s.verdict,
        reason: s.reason,
      })),
      faults: result.faults.map((f) => ({ ...f, windows: undefined, lostIds: undefined })),
    },
    null,
    1,
  );
}

interface Row {
  defect: string;
  yaml: string;
  experiment: 'worker-kill' | 'gpu-slowdown';
  /** Checks that the verdict failed for the reason this defect is meant to cause. */
  caught(result: ExperimentResult, experiment: Experiment): void;
}

const rows: Row[] = [
  {
    defect: 'worker_never_answers_share: 0.5 (armed by the restart at the rollback)',
    yaml: 'defects:\n  worker_never_answers_share: 0.5\n',
    experiment: 'worker-kill',
    // The batcher's first-token timeout (10 s) hands each swallowed sequence to another worker: those clients
    // get their answer 10 s late. They are a handful (the batcher ejects the worker at its first timeout), too
    // few for any p99 window to fail with confidence: the count of stalled answers is what catches them.
    caught: (result) => {
      const fault = result.faults[0];
      expect(failedExpectations(fault), summary(result)).toContain('maxStalledRequests');
      expect(fault?.stalled, summary(result)).toBeGreaterThan(0);
      expect(fault?.failedTotal, summary(result)).toBe(0);
    },
  },
  {
    defect: 'batcher_ejection_disabled: true',
    yaml: 'defects:\n  batcher_ejection_disabled: true\n',
    experiment: 'worker-kill',
    // Routing stops using the dead worker only when its lease expires: detection past maxDetectS.
    caught: (result, experiment) => {
      const fault = result.faults[0];
      expect(failedExpectations(fault), summary(result)).toContain('maxDetectS');
      expect(fault?.detectedAfterMs ?? Number.POSITIVE_INFINITY, summary(result)).toBeGreaterThan(
        (experiment.expectations.maxDetectS ?? 0) * 1000,
      );
      // Re-dispatch still saves every request sent to the dead worker: the damage is the detection alone.
      expect(fault?.failedTotal, summary(result)).toBe(0);
    },
  },
  {
    defect: 'batcher_fail_share_after_return: 0.01 (armed when the restarted worker registers again)',
    yaml: 'defects:\n  batcher_fail_share_after_return: 0.01\n',
    experiment: 'worker-kill',
    // After the rollback, 1 % of answers fail. The after-check's error rate cannot show it (1 % sits on its
    // < 1 % threshold); counted one by one, the requests sent after the rollback can. The defect's draws are
    // seeded (cluster seed 42): batcher-1 fails its 16th answer after arming, batcher-0 its 52nd, and each
    // delivers ~125 in the 10 s after the rollback, so the run sees failures every time (a non-streamed one is
    // a 500 the gateway passes on, not a 502 it would retry on the other batcher).
    caught: (result) => {
      const fault = result.faults[0];
      expect(failedExpectations(fault), summary(result)).toContain('maxFailedAfterRollback');
    },
  },
  {
    defect: 'worker_slowdown_after_fault: 3 (armed when the GPU fault is cleared)',
    yaml: 'defects:\n  worker_slowdown_after_fault: 3\n',
    experiment: 'gpu-slowdown',
    // The rollback does not bring the worker back to speed: p99 never returns inside the SLO. Three times, not
    // more: least-loaded routing sends a slower worker fewer requests, and at 20x the slow answers were too few
    // (about 3 in 125) for the after-window's one-sided bound, which CI once read inconclusive.
    caught: (result) => {
      const fault = result.faults[0];
      // Caught by the SLOs after the fault; recovery is never declared (a thin window may leave it undecided
      // rather than not_recovered, so maxRecoveryS itself is not required to fail).
      expect(failedExpectations(fault), summary(result)).toContain('after-window');
      expect(fault?.recoveredAfterMs, summary(result)).toBeNull();
      // The after-check's last 5 s hold ~60 /infer samples: a slower worker fails it or leaves it
      // inconclusive (too thin for an interval), never passes it.
      expect(afterCheckE2e(result)?.verdict, summary(result)).not.toBe('pass');
    },
  },
  {
    defect: 'batchers.redispatch.enabled: false',
    yaml: 'batchers:\n  redispatch:\n    enabled: false\n',
    experiment: 'worker-kill',
    // Sequences on the killed worker, and the first batch each batcher sends it, fail instead of moving.
    caught: (result) => {
      const fault = result.faults[0];
      expect(failedExpectations(fault), summary(result)).toContain('maxFailedRequests');
      expect(fault?.failedTotal, summary(result)).toBeGreaterThan(0);
    },
  },
];

/**
 * Why a run is no evidence either way, or undefined when it is. A steady state that failed before any fault
 * injected nothing, and no switch is armed (or changes anything) before the fault; a rollback (a restart)
 * still under way when the after-check window began leaves that window blind to what follows it. Both come
 * from a host short of CPU: on this shared 2-core machine, first windows read p99 2.3-8.6 s and a worker
 * restart took up to 10 s at load averages above 20.
 */
function noEvidence(result: ExperimentResult): string | undefined {
  if (result.status === 'steady_state_failed') return result.reasons[0];
  const revertedAt = result.faults[0]?.revertedAt;
  const afterCheckFrom = result.afterCheck?.fromMs;
  if (revertedAt != null && afterCheckFrom !== undefined && revertedAt > afterCheckFrom)
    return `the rollback ended ${revertedAt - afterCheckFrom} ms into the after-check window`;
  return undefined;
}

function runShortened(stack: StackHandle, id: Row['experiment'], dir: string) {
  const experiment = shortened(shippedExperiment(id));
  return runExperiment(experiment, {
    stack,
    load: new FetchLoad({ model: stack.config.model_name }),
    outDir: join(stack.runDir, 'chaos', dir),
    recoveryWindowMs: windowS * 1000,
  }).then((result) => ({ experiment, result }));
}

// On by default (about 4 minutes): every verdict must be able to fail, and this is where each planted defect
// shows it does. It is a quiet integration file (support/lanes.ts): at most one other latency file runs
// beside it, no container or cluster file; a run that is no evidence either way (noEvidence) is tried once more.
// GAUNTLET_DAMAGE_MATRIX=0 skips it, visibly.
const matrixEnabled = process.env.GAUNTLET_DAMAGE_MATRIX !== '0';

describe.skipIf(!matrixEnabled)(
  'damage matrix: each defect switch fails the experiment it damages; none, and nothing fails (skip: GAUNTLET_DAMAGE_MATRIX=0)',
  () => {
    let stack: StackHandle | undefined;

    beforeAll(() => {
      useTempGauntletHome();
    });

    afterEach(async () => {
      await stack?.down();
      stack = undefined;
      expect(aliveProcesses()).toEqual([]);
    });

    const up = async (yaml: string): Promise<StackHandle> => {
      stack = await upLocalStack(matrixYaml + yaml, { readyTimeoutMs: 30_000 });
      return stack;
    };

    it('every switch off: worker-kill and gpu-slowdown pass on the same stack', async () => {
      const healthy = await up('');
      for (const id of ['worker-kill', 'gpu-slowdown'] as const) {
        let { result } = await runShortened(healthy, id, `healthy-${id}`);
        const why = noEvidence(result);
        // With every switch off nothing is armed by a run, so the same stack can run it again.
        if (why !== undefined) {
          console.warn(`healthy ${id}: no evidence (${why}); trying once more`);
          ({ result } = await runShortened(healthy, id, `healthy-${id}-again`));
        }
        expect(result.status, summary(result)).toBe('completed');
        // Shortened 5 s windows hold ~250 requests at the shipped 50 req/s: too few for a conclusive p99, so a
        // healthy stack reads `pass` or `inconclusive` (thin windows), never `fail`, and no expectation fails.
        // The full-length experiments, sized for conclusive windows, are run by `npm run bench -- --only chaos`.
        expect(result.verdict, summary(result)).not.toBe('fail');
        expect(failedExpectations(result.faults[0]), summary(result)).toEqual([]);
      }
    }, 360_000);

    for (const row of rows) {
      it(`${row.defect}: ${row.experiment} fails`, async () => {
        let { experiment, result } = await runShortened(await up(row.yaml), row.experiment, row.experiment);
        const why = noEvidence(result);
        // A switch may have armed during the run (a restart came late): the second try gets a fresh stack.
        if (why !== undefined) {
          console.warn(`${row.defect}: no evidence (${why}); trying once more on a fresh stack`);
          await stack?.down();
          ({ experiment, result } = await runShortened(
            await up(row.yaml),
            row.experiment,
            `${row.experiment}-again`,
          ));
        }
        expect(result.status, summary(result)).toBe('completed');
        expect(result.faults[0]?.injectedAt, summary(result)).not.toBeNull();
        // Caught by the experiment's own judgement, not by the audit of what the run left behind.
        expect(result.audit, summary(result)).toEqual([]);
        expect(result.verdict, summary(result)).toBe('fail');
        row.caught(result, experiment);
      }, 240_000);
    }
  },
);
