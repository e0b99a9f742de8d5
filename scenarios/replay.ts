/**
 * replay: a recorded trace, request by request, at its own timestamps (scaled by the harness's --speedup)
 * with its input and output lengths. The harness parses and validates the trace (Azure LLM inference CSV,
 * Mooncake JSONL, or a Gauntlet run's samples) and writes the schedule this file reads (REPLAY_SCHEDULE);
 * see lib/replay-options.ts for why it is one shared-iterations scenario. SLO thresholds apply to the
 * whole replay.
 */
import type { Options } from 'k6/options';
import { type RunPlan, type SetupData, setupRun } from './lib/k6/gauntlet-run.ts';
import { loadReplayTrace, runReplayIteration } from './lib/k6/replay-run.ts';
import { replayScenario } from './lib/replay-options.ts';
import { scheduleSpanS } from './lib/replay-schedule.ts';
import { baseOptions, sloThresholds } from './lib/scenario-options.ts';
import { scenarioShape } from './lib/scenario-plans.ts';

const { config, phases, replay } = scenarioShape('replay', __ENV);
if (!replay) throw new Error('replay: no REPLAY_SCHEDULE');
const trace = loadReplayTrace(replay.schedule, config, __ENV);
if (trace.requests.length !== replay.requests) {
  throw new Error(
    `REPLAY_REQUESTS: ${replay.requests}, but ${replay.schedule} schedules ${trace.requests.length} requests`,
  );
}
const last = trace.requests.at(trace.requests.length - 1);
const plan: RunPlan = { scenario: 'replay', config, phases, pool: undefined };

export const options: Options = {
  ...baseOptions(config),
  scenarios: {
    replay: replayScenario(
      trace.requests.length,
      scheduleSpanS({ requests: last ? [last] : [] }),
      trace.peakPerLatencyWindow,
      config,
    ),
  },
  thresholds: sloThresholds(config, { phases: [] }),
};

export function setup(): SetupData {
  return setupRun(plan);
}

export default function (data: SetupData): void {
  runReplayIteration(config, trace, data);
}
