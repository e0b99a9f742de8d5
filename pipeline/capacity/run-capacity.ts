import { join } from 'node:path';
import type { Interrupt } from '../../core/process/interrupt.js';
import {
  capacityHeadline,
  latencyKnee,
  scalingEfficiencies,
} from '../../reports/capacity/capacity-figures.js';
import { buildCapacityModel } from '../../reports/capacity/capacity-model.js';
import type {
  CapacityRamp,
  CapacityResult,
  CapacityTopology,
  CapacityTrial,
} from '../../reports/capacity/capacity-result.js';
import { writeCapacityReports } from '../../reports/capacity/write-capacity-reports.js';
import type { RunResult } from '../../reports/run-result.js';
import { parseMixShares } from '../../reports/slo/sample-sizing.js';
import type { Slo } from '../../reports/slo/slo-schema.js';
import type { LoadDriver } from '../../runner/load/load-driver.js';
import { sizePhase } from '../../runner/load/plan-sizing.js';
import type { RunPart, RunTargetSpec } from '../pipeline-options.js';
import { executeRun } from '../run/execute-run.js';
import { CapacityBudget } from './capacity-budget.js';
import { rampBreak } from './ramp-break.js';
import { searchMaxRate, type TrialVerdict } from './rate-search.js';
import type { Topology } from './topologies.js';

export interface CapacityOptions {
  /** Each topology with the target it runs on: a platform with its config, or a --target URL. */
  topologies: Array<Topology & { target: RunTargetSpec }>;
  targetLabel: string;
  slos: readonly Slo[];
  mix: string;
  maxTokens: number;
  /**
   * Scenario variables every run gets (the workload flags, --env: prompt lengths, a PROMPTS dataset, a
   * shared prefix); the search's own (RATE, DURATION, WARMUP, START_RATE, MAX_RATE) are set per run.
   */
  scenarioEnv?: Readonly<Record<string, string>>;
  seed: number;
  budgetS: number;
  /** The bracket is narrowed to this share of the rate (at least 1 req/s). */
  resolutionPct: number;
  /** Top of each ramp, req/s, per topology. */
  rampMaxRate: (topology: Topology) => number;
  rampDurationS: number;
  warmupS: number;
  /** Shortest main phase of a constant-rate trial, even when the SLOs need fewer samples. */
  minTrialS: number;
  peak?: number;
  outDir: string;
  command: string[];
  interrupt?: Interrupt;
  driver?: LoadDriver;
  log: (message: string) => void;
}

/**
 * `gauntlet capacity`: for each topology, a breakpoint ramp brackets the rate where the SLOs break, then
 * constant-rate runs (each sized so a healthy stack can decide every SLO at its rate) search for the
 * highest rate that passes with confidence: a pass at R and a fail or inconclusive at the next step. Every
 * run goes through the run pipeline and keeps its own folder and reports. capacity.json, capacity.md and
 * capacity.html are rewritten after every topology, so an interrupt keeps what was measured.
 */
export async function runCapacity(options: CapacityOptions): Promise<CapacityResult> {
  const budget = new CapacityBudget(options.budgetS);
  const startedAt = new Date().toISOString();
  const gaveUp: string[] = [];
  const notes: string[] = [];
  const topologies: CapacityTopology[] = [];
  let runs = 0;
  let complete = true;
  const result = (): CapacityResult =>
    finish(options, { startedAt, budget, gaveUp, notes, topologies, runs, complete });

  for (const [index, topology] of options.topologies.entries()) {
    if (options.interrupt?.received || !complete) {
      gaveUp.push(`${topology.name}: not measured (${complete ? 'interrupted' : 'a run failed'})`);
      continue;
    }
    const shareS = budget.startTopology(options.topologies.length - index);
    options.log(`capacity: ${topology.name} (${topology.gpus} GPUs): ${Math.round(shareS)} s of the budget`);
    const dir = join(options.outDir, topology.name.replace(/[^a-zA-Z0-9_.-]+/g, '-'));
    const partial: TopologyProgress = { ramp: null, trials: [], retries: [] };
    try {
      topologies.push(await measureTopology(options, topology, dir, budget, gaveUp, partial, () => runs++));
    } catch (error) {
      complete = false;
      const why = `a run failed: ${(error as Error).message.split('\n')[0]}`;
      notes.push(`${topology.name}: ${why}`);
      options.log(`capacity: ${topology.name}: ${(error as Error).message}`);
      topologies.push(unfinishedTopology(topology, partial, why));
    }
    notes.push(...partial.retries);
    if (options.interrupt?.received) complete = false;
    writeCapacityReports(options.outDir, result());
  }
  const final = result();
  writeCapacityReports(options.outDir, final);
  return final;
}

async function measureTopology(
  options: CapacityOptions,
  topology: Topology & { target: RunTargetSpec },
  dir: string,
  budget: CapacityBudget,
  gaveUp: string[],
  partial: TopologyProgress,
  countRun: () => void,
): Promise<CapacityTopology> {
  const log = (m: string) => options.log(`capacity: ${topology.name}: ${m}`);
  const shares = parseMixShares(options.mix);
  // A run that fails outright (most often a stack that did not come up in time on a busy host) is tried once
  // more before the topology is given up; the retry is said in the log and in capacity.json's notes.
  const run = async (part: RunPart, runDir: string): Promise<RunResult> => {
    try {
      return await runOnce(part, runDir);
    } catch (error) {
      if (options.interrupt?.received) throw error;
      const why = (error as Error).message.split('\n')[0];
      log(`run failed (${why}); trying it once more`);
      partial.retries.push(`${topology.name}: ${runDir}: first attempt failed (${why}); retried`);
      return await runOnce(part, runDir);
    }
  };
  const runOnce = async (part: RunPart, runDir: string): Promise<RunResult> => {
    const loadS = (part.env?.WARMUP ? Number.parseFloat(part.env.WARMUP) : 0) + part.durationS;
    const started = Date.now();
    countRun();
    const { run: result } = await executeRun({
      parts: [part],
      target: topology.target,
      slos: options.slos,
      outDir: runDir,
      command: options.command,
      runOptions: { ...part, capacity: topology.name },
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
      ...(options.driver ? { driver: options.driver } : {}),
      progress: false,
      log,
    });
    budget.record(loadS, (Date.now() - started) / 1000);
    return result;
  };

  // 1. Bracket: a ramp from a tenth of its top to the top, over a quarter of this topology's share at most.
  const rampMax = Math.max(2, Math.round(options.rampMaxRate(topology)));
  const rampStart = Math.max(1, Math.round(rampMax / 20));
  const rampS = Math.max(10, Math.min(options.rampDurationS, Math.round(budget.topologyLeftS / 4)));
  let ramp: CapacityRamp | null = null;
  let startRate = Math.max(1, Math.round(rampMax / 4));
  if (rampS < options.rampDurationS)
    gaveUp.push(
      `${topology.name}: ramp shortened to ${rampS} s (asked ${options.rampDurationS} s) to fit the budget`,
    );
  if (budget.fits(options.warmupS + rampS)) {
    log(`ramp ${rampStart} -> ${rampMax} req/s over ${rampS} s`);
    const rampDir = join(dir, 'ramp');
    const rampRun = await run(
      {
        scenario: 'breakpoint',
        rate: rampMax,
        durationS: rampS,
        seed: options.seed,
        endpointMix: options.mix,
        maxTokens: options.maxTokens,
        env: {
          ...options.scenarioEnv,
          START_RATE: String(rampStart),
          MAX_RATE: String(rampMax),
          WARMUP: `${options.warmupS}s`,
        },
      },
      rampDir,
    );
    const found = rampBreak(rampRun, options.slos, rampStart, rampMax);
    ramp = { startRate: rampStart, maxRate: rampMax, durationS: rampS, ...found, runDir: rampDir };
    partial.ramp = ramp;
    log(`ramp: ${found.reason}`);
    // The ramp detects a break a little after it starts (seconds aggregate, k6 thresholds lag): start below.
    startRate = Math.max(1, Math.round((found.brokeAtRate ?? rampMax) * 0.8));
  } else {
    gaveUp.push(
      `${topology.name}: no ramp (the budget left no room); the search starts at ${startRate} req/s`,
    );
  }

  // 2. Confirm: constant-rate trials, each sized for the SLOs at its rate.
  const trials = partial.trials;
  let noRoom: string | undefined;
  const resolution = (rate: number) => Math.max(1, Math.round((rate * options.resolutionPct) / 100));
  const outcome = await searchMaxRate<CapacityTrial>({
    startRate,
    resolution,
    growth: 1.25,
    shrink: 0.7,
    minRate: 1,
    maxRate: Math.max(rampMax * 2, 2),
    maxTrials: 12,
    trial: async (rate) => {
      if (options.interrupt?.received) return undefined;
      const durationS = trialDurationS(rate, options, shares);
      if (!budget.fits(options.warmupS + durationS)) {
        noRoom = `no room left in its share of the budget for ${rate} req/s for ${durationS} s (about ${Math.round(budget.costS(options.warmupS + durationS))} s with bring-up; ${Math.round(budget.topologyLeftS)} s left)`;
        log(
          `no room for ${rate} req/s for ${durationS} s (${Math.round(budget.topologyLeftS)} s left of its share)`,
        );
        return undefined;
      }
      log(`${rate} req/s for ${durationS} s (+${options.warmupS} s warm-up)...`);
      const runDir = join(dir, `rate-${String(rate).padStart(5, '0')}`);
      const result = await run(
        {
          scenario: 'load',
          rate,
          durationS,
          seed: options.seed,
          endpointMix: options.mix,
          maxTokens: options.maxTokens,
          env: { ...options.scenarioEnv, WARMUP: `${options.warmupS}s` },
        },
        runDir,
      );
      const trial = trialRecord(rate, durationS, result, runDir);
      trials.push(trial);
      log(`${rate} req/s: ${trial.verdict}${trial.deciding ? ` (${trial.deciding})` : ''}`);
      return { verdict: trial.verdict, detail: trial };
    },
  });
  const askedRes = outcome.maxRate !== null ? resolution(outcome.maxRate) : null;
  if (!outcome.converged && outcome.stoppedBecause)
    gaveUp.push(
      `${topology.name}: search stopped before its resolution${askedRes ? ` (${askedRes} req/s)` : ''}: ${noRoom ?? outcome.stoppedBecause}`,
    );
  const atMax = trials.find((t) => t.offeredRate === outcome.maxRate);
  const reason =
    outcome.maxRate !== null && outcome.nextRate !== null
      ? `pass at ${outcome.maxRate} req/s, ${trials.find((t) => t.offeredRate === outcome.nextRate)?.verdict} at ${outcome.nextRate} req/s (resolution ${outcome.resolution} req/s${outcome.converged ? '' : `, asked ${askedRes}`})`
      : outcome.maxRate !== null
        ? `pass at ${outcome.maxRate} req/s; nothing above it failed, so this is a lower bound (${noRoom ?? outcome.stoppedBecause})`
        : `no rate passed (${noRoom ?? outcome.stoppedBecause})`;
  log(reason);
  return {
    name: topology.name,
    nodes: topology.nodes,
    gpus: topology.gpus,
    ramp,
    trials,
    maxRate: outcome.maxRate,
    nextRate: outcome.nextRate,
    resolution: outcome.resolution,
    conclusive: outcome.converged,
    reason,
    tokensPerSPerGpu: atMax ? round(atMax.outputTokensPerS / topology.gpus) : null,
    scalingEfficiency: null,
    knee: latencyKnee(trials),
  };
}

/** What a topology measured so far, kept when one of its runs fails. */
interface TopologyProgress {
  ramp: CapacityRamp | null;
  trials: CapacityTrial[];
  retries: string[];
}

function unfinishedTopology(topology: Topology, partial: TopologyProgress, why: string): CapacityTopology {
  return {
    name: topology.name,
    nodes: topology.nodes,
    gpus: topology.gpus,
    ramp: partial.ramp,
    trials: partial.trials,
    maxRate: null,
    nextRate: null,
    resolution: null,
    conclusive: false,
    reason: `not measured to the end: ${why}`,
    tokensPerSPerGpu: null,
    scalingEfficiency: null,
    knee: latencyKnee(partial.trials),
  };
}

/** The main phase at `rate`: long enough for every SLO's samples on a healthy stack (sample-sizing.ts). */
export function trialDurationS(
  rate: number,
  options: Pick<CapacityOptions, 'slos' | 'warmupS' | 'minTrialS' | 'scenarioEnv'>,
  shares: ReturnType<typeof parseMixShares>,
): number {
  const env = {
    ...options.scenarioEnv,
    RATE: String(rate),
    DURATION: `${options.minTrialS}s`,
    WARMUP: `${options.warmupS}s`,
  };
  return sizePhase('load', env, 'steady', options.slos, shares).durationS;
}

function trialRecord(rate: number, durationS: number, run: RunResult, runDir: string): CapacityTrial {
  const verdict: TrialVerdict = run.complete ? run.verdict : 'inconclusive';
  const counted = run.slos.filter((s) => s.verdict !== 'not_applicable');
  const deciding =
    counted.find((s) => s.verdict === 'fail') ?? counted.find((s) => s.verdict === 'inconclusive');
  const e2e = run.metrics.overall.e2e;
  return {
    offeredRate: rate,
    achievedRate: round(run.scenarios[0]?.achievedRate ?? 0, 2),
    durationS,
    verdict,
    deciding: deciding
      ? `${deciding.id} ${deciding.verdict}: ${deciding.reason}`
      : run.complete
        ? null
        : 'the run was incomplete',
    e2eP50: e2e ? e2e.p50 : null,
    e2eP99: e2e ? e2e.p99 : null,
    outputTokensPerS: round(run.metrics.overall.outputTokensPerS),
    slos: counted.map((s) => ({
      id: s.id,
      verdict: s.verdict,
      observed: s.observed,
      ci: s.ci,
      threshold: s.threshold,
      samples: s.samples,
      reason: s.reason,
    })),
    runDir,
  };
}

function finish(
  options: CapacityOptions,
  state: {
    startedAt: string;
    budget: CapacityBudget;
    gaveUp: string[];
    notes: string[];
    topologies: CapacityTopology[];
    runs: number;
    complete: boolean;
  },
): CapacityResult {
  const effs = scalingEfficiencies(state.topologies);
  const topologies = state.topologies.map((t, i) => ({ ...t, scalingEfficiency: effs[i] ?? null }));
  const model = buildCapacityModel(
    topologies
      .filter((t) => t.conclusive && t.maxRate !== null)
      .map((t) => ({ name: t.name, nodes: t.nodes, gpus: t.gpus, maxRate: t.maxRate ?? 0 })),
  );
  return {
    schemaVersion: 1,
    startedAt: state.startedAt,
    endedAt: new Date().toISOString(),
    command: options.command,
    target: options.targetLabel,
    mix: options.mix,
    maxTokens: options.maxTokens,
    ...(options.scenarioEnv && Object.keys(options.scenarioEnv).length > 0
      ? { scenarioEnv: { ...options.scenarioEnv } }
      : {}),
    slos: options.slos.map((s) => ({
      id: s.id,
      metric: s.metric,
      ...(s.endpoint ? { endpoint: s.endpoint } : {}),
      ...(s.stat ? { stat: s.stat } : {}),
      op: s.op,
      threshold: s.threshold,
    })),
    search: {
      resolutionPct: options.resolutionPct,
      budgetS: options.budgetS,
      usedS: round(state.budget.usedS),
      gaveUp: [...state.gaveUp],
      runs: state.runs,
    },
    topologies,
    model,
    headline:
      options.peak !== undefined ? capacityHeadline(options.peak, options.slos, topologies, model) : null,
    complete: state.complete && !options.interrupt?.received,
    notes: [...state.notes],
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
