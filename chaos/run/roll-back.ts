import type { Experiment } from '../experiment/experiment-schema.js';
import type { StackFaults } from '../faults/stack-faults.js';
import type { RunPlan } from './run-plan.js';
import type { RunRecord } from './run-record.js';

/**
 * Step 6, rollback, whatever happened: stops the load if still running, undoes every fault in reverse
 * order of injection (every rollback is idempotent, so reverted ones cost nothing), runs the sweeps, and
 * stops the routing probe.
 */
export async function rollBack(plan: RunPlan, run: RunRecord): Promise<void> {
  const { clock, journal } = plan;
  if (run.load && !run.loadDone) {
    await run.load.stop().catch((e: Error) => run.rollbackErrors.push(`stopping the load: ${e.message}`));
    run.loadStoppedAt ??= clock.now();
  }
  for (const s of [...run.scheduled.values()].reverse()) {
    const injected = await s.injection;
    await s.reverting?.catch(() => {});
    if (injected)
      await injected.rollback
        .run()
        .catch((e: Error) => run.rollbackErrors.push(`${s.spec.id}: ${e.message}`));
  }
  for (const sweep of plan.experiment.rollbacks) {
    const done = await runSweep(plan.faults, sweep);
    for (const line of done) journal.note('sweep', `${sweep}: ${line}`);
    run.sweeps.push(...done.map((line) => `${sweep}: ${line}`));
  }
  await plan.probe?.stop();
}

async function runSweep(faults: StackFaults, sweep: Experiment['rollbacks'][number]): Promise<string[]> {
  switch (sweep) {
    case 'thaw-all':
      return faults.thawAll();
    case 'restart-dead':
      return faults.restartDead();
    case 'clear-gpu-faults':
      return faults.clearGpuFaults();
    case 'clear-network-faults':
      return faults.clearLinkFaults();
  }
}
