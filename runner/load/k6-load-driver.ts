import { basename, isAbsolute, join, resolve } from 'node:path';
import { projectRoot } from '../../core/project-root.js';
import { ENDPOINTS } from '../../reports/model/kinds.js';
import { type K6Result, runK6 } from '../k6/run-k6.js';
import { defaultLagWarnMs, generatorWarnings } from './generator-warnings.js';
import {
  type LoadDriver,
  type LoadOutcome,
  type LoadPlan,
  type LoadProgress,
  type LoadRun,
  runnableScenarios,
} from './load-driver.js';

export interface K6LoadDriverOptions {
  /** Default resolveK6Binary(). */
  k6Binary?: string;
  /** Scenario files folder. Default `<project>/scenarios`. */
  scenariosDir?: string;
  /** stop(): SIGINT, then SIGKILL after this long. Default 15,000. */
  stopGraceMs?: number;
  progressIntervalMs?: number;
  /** Largest scheduling lag above which the outcome warns. Default: the verdicts' limit (100). */
  lagWarnMs?: number;
}

/** Checks a plan up front, naming the field, what it got and what is allowed. */
export function validateLoadPlan(plan: LoadPlan): void {
  const fail = (field: string, wanted: string, got: unknown) => {
    throw new Error(`LoadPlan.${field} must be ${wanted}, got ${JSON.stringify(got)}`);
  };
  if (!runnableScenarios.includes(plan.scenario))
    fail('scenario', `one of ${runnableScenarios.join(', ')}`, plan.scenario);
  if (!/^https?:\/\/\S+$/.test(plan.target)) fail('target', 'an http(s) URL', plan.target);
  // The network rule, checked here too so that the mistake surfaces before k6 starts.
  if (
    !isLoopbackUrl(plan.target) &&
    !/^(1|true|yes|on)$/i.test(plan.env?.GAUNTLET_ALLOW_NON_LOOPBACK ?? '')
  ) {
    fail(
      'target',
      'a loopback URL (127.0.0.0/8, ::1, localhost) unless env.GAUNTLET_ALLOW_NON_LOOPBACK',
      plan.target,
    );
  }
  if (!Number.isFinite(plan.rate) || plan.rate <= 0)
    fail('rate', 'a number > 0 (requests a second)', plan.rate);
  if (!Number.isFinite(plan.durationS) || plan.durationS < 1)
    fail('durationS', 'a number >= 1', plan.durationS);
  if (!Number.isInteger(plan.seed) || plan.seed < 0 || plan.seed > 0xffff_ffff) {
    fail('seed', 'an integer in [0, 4294967295]', plan.seed);
  }
  if (!Number.isInteger(plan.maxTokens) || plan.maxTokens < 1)
    fail('maxTokens', 'an integer >= 1', plan.maxTokens);
  if (plan.outDir === '') fail('outDir', 'a folder', plan.outDir);
  if (typeof plan.endpointMix !== 'string') {
    for (const [endpoint, weight] of Object.entries(plan.endpointMix)) {
      if (!(ENDPOINTS as readonly string[]).includes(endpoint)) {
        fail(`endpointMix.${endpoint}`, `one of ${ENDPOINTS.join(', ')}`, endpoint);
      }
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
        fail(`endpointMix.${endpoint}`, 'a weight >= 0', weight);
      }
    }
  }
}

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The scenario's environment for a plan (see scenarios/README.md). */
export function scenarioEnv(plan: LoadPlan): Record<string, string> {
  const mix =
    typeof plan.endpointMix === 'string'
      ? plan.endpointMix
      : Object.entries(plan.endpointMix)
          .map(([endpoint, weight]) => `${endpoint}:${weight}`)
          .join(',');
  const env: Record<string, string> = {
    GAUNTLET_TARGET: plan.target,
    RATE: String(plan.rate),
    DURATION: `${plan.durationS}s`,
    SEED: String(plan.seed),
    ENDPOINT_MIX: mix,
    MAX_TOKENS: String(plan.maxTokens),
    GAUNTLET_RUN_ID: plan.runId ?? basename(resolve(plan.outDir)),
  };
  if (plan.apiKey !== undefined) env.GAUNTLET_API_KEY = plan.apiKey;
  Object.assign(env, plan.env);
  // k6 would resolve a relative dataset path against the scenario's folder; the plan means the caller's.
  if (env.PROMPTS && !isAbsolute(env.PROMPTS)) env.PROMPTS = resolve(env.PROMPTS);
  return env;
}

/** Runs LoadPlans with k6 and the scenarios under scenarios/. */
export class K6LoadDriver implements LoadDriver {
  readonly name = 'k6';

  constructor(private readonly options: K6LoadDriverOptions = {}) {}

  async start(plan: LoadPlan): Promise<LoadRun> {
    validateLoadPlan(plan);
    const scenariosDir = this.options.scenariosDir ?? join(projectRoot(), 'scenarios');
    const run = runK6({
      script: join(scenariosDir, `${plan.scenario}.ts`),
      outDir: plan.outDir,
      env: scenarioEnv(plan),
      k6Binary: this.options.k6Binary,
      stopGraceMs: this.options.stopGraceMs,
      progressIntervalMs: this.options.progressIntervalMs,
      ...(plan.remoteWrite ? { remoteWriteUrl: plan.remoteWrite.url, testId: plan.remoteWrite.testId } : {}),
      ...(plan.cpus ? { cpus: plan.cpus } : {}),
    });
    const lagWarnMs = this.options.lagWarnMs ?? defaultLagWarnMs;
    const done = run.done.then((result) => outcomeOf(result, lagWarnMs));
    return {
      samplesFile: run.samplesFile,
      done,
      stop: async () => outcomeOf(await run.stop(), lagWarnMs),
      onProgress(listener: (progress: LoadProgress) => void) {
        run.events.on('progress', listener);
      },
      async [Symbol.asyncDispose]() {
        await run.stop();
      },
    };
  }
}

function outcomeOf(result: K6Result, lagWarnMs: number): LoadOutcome {
  const { summary } = result;
  return {
    exitCode: result.exitCode,
    thresholdsFailed: result.thresholdsFailed,
    aborted: result.aborted,
    abortReason: result.abortReason,
    failure: result.failure,
    iterations: summary?.iterations ?? 0,
    droppedIterations: summary?.droppedIterations ?? 0,
    httpReqs: summary?.httpReqs ?? 0,
    vusMax: summary?.vusMax ?? 0,
    scheduleLagMs: summary?.scheduleLagMs,
    warnings: generatorWarnings(summary, lagWarnMs),
    wallMs: result.wallMs,
    samplesFile: result.samplesFile,
    summaryFile: result.summaryFile,
    logFile: result.logFile,
  };
}
