import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultJournal } from '../../chaos/faults/fault-journal.js';
import { loadStarterFrom } from '../../chaos/load-starter.js';
import { runExperiment } from '../../chaos/run-experiment.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { overloadsInSeries } from '../../reports/slo/host-overload.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import type { FaultPart } from '../pipeline-options.js';
import type { Reached } from './bring-up.js';
import { type LoadSession, type LoadSessionContext, startLoadSession } from './load-session.js';
import { platformEventNotes } from './platform-event-notes.js';
import { recordLoad } from './run-load.js';
import { markIncomplete, type RunState } from './run-state.js';
import { serverSeries } from './server-series.js';
import { scrapeIntervalMs } from './start-scrapes.js';

/**
 * Runs one fault part: the chaos experiment drives its own load and fault schedule (rollbacks, sweeps and
 * audit included) through chaos's public runExperiment; the load goes through the same session as a load
 * part, so its samples, progress, interrupt handling and generator outcome are recorded the same way.
 */
export async function runFaults(
  part: FaultPart,
  outDir: string,
  reached: Reached,
  state: RunState,
  context: LoadSessionContext,
): Promise<void> {
  const { experiment } = part;
  const stack = reached.stack;
  if (!stack) {
    throw new UserFacingError(
      `experiment ${experiment.id}: faults are injected on a stack the run brings up; give --platform, not --target`,
    );
  }
  const sessions: LoadSession[] = [];
  const driver: LoadDriver = {
    name: context.driver.name,
    async start(plan) {
      const session = await startLoadSession(plan, context);
      sessions.push(session);
      return session.run;
    },
  };
  // Created here so that the run's Prometheus (if any) can export the faults while they are in force.
  const journal = new FaultJournal();
  state.prometheus?.journals.push(journal);
  try {
    const result = await runExperiment(experiment, {
      stack,
      journal,
      load: loadStarterFrom(driver, { seed: part.seed, maxTokens: part.maxTokens }),
      outDir,
      ...(stack.links ? { links: stack.links } : {}),
      // Chaos windows use the same host-overload rule as the run's SLOs: the services' event-loop delay
      // from the run's own scrapes, read whenever a window is judged.
      hostOverloads: () => {
        const points = state.scraper?.points ?? [];
        const series = serverSeries(points, 0, scrapeIntervalMs).series;
        return overloadsInSeries(series, scrapeIntervalMs / 1000);
      },
      log: context.log,
    });
    state.experiments.push(result);
    state.notes.push(
      `experiment ${experiment.id}: ${result.status}; expected outcome: ${experiment.expectedOutcome}`,
      ...result.reasons.map((r) => `experiment: ${r}`),
      ...result.audit.map((finding) => `audit: ${JSON.stringify(finding)}`),
    );
    const events = stack.platformEvents?.(result.startedAt, result.endedAt) ?? [];
    if (stack.platformEvents) {
      writeFileSync(join(outDir, 'platform-events.json'), `${JSON.stringify(events, null, 2)}\n`);
      state.notes.push(...platformEventNotes(stack.platform, events, result.faults));
    }
    if (result.rollbackErrors.length > 0)
      state.notes.push(`rollback errors: ${result.rollbackErrors.join('; ')}`);
    // A failed steady state is a finished verdict; an abort rule or an error cut the evidence short.
    if (result.status === 'aborted' || result.status === 'error')
      markIncomplete(state, `experiment ${experiment.id} ended early (${result.status})`);
  } finally {
    for (const session of sessions) recordLoad(session, await session.finish(), state);
  }
}

/** Where a fault part's files go: the run folder itself when it is the only part. */
export function faultPartDir(outDir: string, index: number, parts: number, id: string): string {
  return parts === 1 ? outDir : join(outDir, `${index + 1}-${id}`);
}
