import { join } from 'node:path';
import type { LoadOutcome, LoadPlan } from '../../runner/load/load-driver.js';
import { LoadGeneratorError } from '../../runner/load/load-generator-error.js';
import type { RunPart } from '../pipeline-options.js';
import type { Reached } from './bring-up.js';
import { type LoadSession, type LoadSessionContext, startLoadSession } from './load-session.js';
import { markIncomplete, type RunState } from './run-state.js';
import { scenarioRecord } from './scenario-record.js';

/** Runs one load part to its end (or until Ctrl-C) and records what it planned and delivered. */
export async function runLoad(
  part: RunPart,
  index: number,
  reached: Reached,
  outDir: string,
  state: RunState,
  context: LoadSessionContext,
): Promise<void> {
  const plan: LoadPlan = {
    ...part,
    target: reached.url,
    ...(reached.apiKey ? { apiKey: reached.apiKey } : {}),
    outDir: join(outDir, 'load', `${index + 1}-${part.scenario}`),
  };
  const session = await startLoadSession(plan, context);
  const outcome = await session.finish();
  recordLoad(session, outcome, state);
  // k6 that could not run its plan measured nothing the plan promised: a harness error (exit 3), not a
  // verdict; the pipeline still writes what was measured, marked incomplete.
  if (outcome.failure && !context.interrupt?.received) {
    throw new LoadGeneratorError(
      `${part.scenario}: the load generator failed: ${outcome.failure}\n(the reports in ${outDir} hold what was measured, marked incomplete)`,
    );
  }
  if (outcome.aborted && outcome.abortReason !== 'thresholds' && !context.interrupt?.received) {
    markIncomplete(
      state,
      `${part.scenario}: the load ended early (${outcome.abortReason ?? 'unknown reason'})`,
    );
  }
}

/** The scenario record and the generator's own warnings, the same for load and fault parts. */
export function recordLoad(session: LoadSession, outcome: LoadOutcome, state: RunState): void {
  const name = session.plan.scenario;
  state.scenarios.push(scenarioRecord(name, session.shape, outcome, state.collector.result()));
  state.notes.push(...outcome.warnings.map((w) => `${name}: ${w}`));
  if (outcome.failure)
    state.notes.push(`${name}: the load generator failed: ${outcome.failure.split('\n')[0]}`);
}
