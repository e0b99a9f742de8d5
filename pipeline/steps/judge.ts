import { buildRunResult } from '../../reports/build-run-result.js';
import { combineVerdicts } from '../../reports/model/kinds.js';
import type { RunResult } from '../../reports/run-result.js';
import type { PipelineOptions } from '../pipeline-options.js';
import type { Collected } from './collect.js';
import { faultRecords, windowSloRecords } from './fault-records.js';
import { runVersions } from './run-meta.js';
import { runPlanOf } from './run-plan.js';
import type { RunState } from './run-state.js';

/**
 * The verdict: the whole-run SLOs over every sample, plus, for each experiment, its steady-state and
 * after-check windows, each fault's expectations and the experiment's own verdict (audit included). A fault
 * part that never ran judged nothing, and an incomplete run is never a pass.
 */
export function judge(options: PipelineOptions, state: RunState, collected: Collected): RunResult {
  const origin = collected.samples.timeOriginMs;
  const planned = options.parts.flatMap((p) => (p.kind === 'faults' ? [p.experiment.id] : []));
  const ran = new Set(state.experiments.map((e) => e.experimentId));
  const missing = planned.filter((id) => !ran.has(id));
  if (missing.length > 0) state.complete = false;
  const notes = [
    ...state.notes,
    ...missing.map((id) => `experiment ${id} did not run: nothing was judged about its faults`),
  ];
  const { versions, gitCommit } = runVersions();
  const { stack } = state;
  const platformSpec = options.target.platform;
  const run = buildRunResult({
    meta: {
      runId: options.outDir.split('/').filter(Boolean).at(-1) ?? 'run',
      startedAt: state.startedAt,
      endedAt: new Date().toISOString(),
      complete: state.complete,
      command: options.command,
      config: {
        cluster: (stack?.config ?? platformSpec?.config ?? null) as Record<string, unknown> | null,
        run: options.runOptions,
      },
      seed: options.seed ?? firstSeed(options),
      plan: runPlanOf(options),
      versions,
      gitCommit,
      target: platformSpec
        ? { kind: 'platform', platform: stack?.platform ?? platformSpec.platform.name }
        : { kind: 'url', url: options.target.url ?? '' },
      notes,
    },
    collector: collected.samples,
    scenarios: state.scenarios,
    slos: options.slos,
    serverMetrics: collected.serverMetrics,
    faults: state.experiments.flatMap((e) => faultRecords(e, origin)),
  });
  if (planned.length === 0) return run;
  const windowSlos = state.experiments.flatMap((e) =>
    [e.steadyState, e.afterCheck].flatMap((w) => (w ? windowSloRecords(w, origin) : [])),
  );
  run.slos = [...run.slos, ...windowSlos];
  // Without whole-run SLOs the evaluation has nothing to say; the experiments' own evidence decides.
  run.verdict = combineVerdicts([
    ...(options.slos.length > 0 ? [run.verdict] : []),
    ...state.experiments.map((e) => e.verdict),
    ...windowSlos.map((s) => s.verdict),
    ...(run.faults ?? []).map((f) => f.verdict),
    ...(missing.length > 0 ? ['inconclusive' as const] : []),
  ]);
  // The experiment's windows do not know the generator fell behind; its own note says so, and a pass
  // built on a late schedule is weak evidence (the whole-run SLOs treat it the same way).
  if ((!run.complete || run.collection.loadGeneratorBehind) && run.verdict === 'pass')
    run.verdict = 'inconclusive';
  return run;
}

function firstSeed(options: PipelineOptions): number {
  const first = options.parts[0];
  if (!first) return 0;
  return first.kind === 'load' ? first.load.seed : first.seed;
}
