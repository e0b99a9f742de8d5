import type { CpuSet } from '../../core/process/cpu-set.js';
import type { Endpoint } from '../../reports/model/kinds.js';
import type { TrendStats } from '../k6/k6-summary.js';

/** The scenario files under scenarios/ (one load shape each; see scenarios/README.md). */
export type ScenarioName = 'smoke' | 'load' | 'stress' | 'spike' | 'soak' | 'breakpoint' | 'replay';
/** The load shapes a plan describes by rate and duration alone (what a chaos experiment can drive). */
export const scenarioNames: readonly ScenarioName[] = [
  'smoke',
  'load',
  'stress',
  'spike',
  'soak',
  'breakpoint',
];
/** Every scenario `gauntlet run` takes: the shapes, and `replay`, which also needs a trace (--trace). */
export const runnableScenarios: readonly ScenarioName[] = [...scenarioNames, 'replay'];

/** One load run, as the run command and chaos experiments describe it. */
export interface LoadPlan {
  scenario: ScenarioName;
  /** Gateway base URL. Loopback only, unless `env` sets GAUNTLET_ALLOW_NON_LOOPBACK for a target the run created. */
  target: string;
  apiKey?: string;
  /** Requests a second of the scenario's base load (RATE). */
  rate: number;
  /** The scenario's main phase (DURATION). */
  durationS: number;
  seed: number;
  /** Shares by endpoint (normalized by the scenario), or the ENDPOINT_MIX text itself. */
  endpointMix: Partial<Record<Endpoint, number>> | string;
  maxTokens: number;
  /** The run folder: samples, k6's log and summary go here. */
  outDir: string;
  /** More scenario variables (WARMUP, PROMPTS, SLO_*, SPIKE_FACTOR, ...); they win over the fields above. */
  env?: Readonly<Record<string, string>>;
  /** Makes request ids unique across runs with the same seed; default: the run folder's name. */
  runId?: string;
  /** Also stream the generator's metrics to this Prometheus remote-write endpoint, tagged testid=testId. */
  remoteWrite?: { url: string; testId: string };
  /** The generator's CPUs, when the run keeps it apart from the stack. */
  cpus?: CpuSet;
}

export interface LoadProgress {
  elapsedMs: number;
  samples: number;
  errors: number;
  samplesPerS: number;
}

/** How a load run ended, and whether its numbers can be trusted. */
export interface LoadOutcome {
  /** The generator's exit code (k6: 0, 99 thresholds failed, ...); null when killed. */
  exitCode: number | null;
  thresholdsFailed: boolean;
  /** The run ended before its schedule did, and why (stop(), an abortOnFail threshold, a crash, ...). */
  aborted: boolean;
  abortReason: 'stopped' | 'signal' | 'thresholds' | 'script' | 'killed' | 'error' | undefined;
  /** The generator's own failure, with its log lines; undefined when it ran as planned. */
  failure: string | undefined;
  iterations: number;
  /** Requests that could not start on schedule. Non-zero: latency is not trustworthy (coordinated omission). */
  droppedIterations: number;
  httpReqs: number;
  vusMax: number;
  /** How late requests started against their arrival schedule. */
  scheduleLagMs: TrendStats | undefined;
  /** Dropped iterations and large scheduling lag, in words, for the report. */
  warnings: string[];
  wallMs: number;
  samplesFile: string;
  summaryFile: string;
  logFile: string;
}

export interface LoadRun extends AsyncDisposable {
  /** NDJSON, one RequestSample a line (reports/model/request-sample.ts), growing while the run lasts. */
  readonly samplesFile: string;
  /** Resolves when the generator has exited; never rejects (see LoadOutcome.failure). */
  readonly done: Promise<LoadOutcome>;
  /** Ends the run early; the outcome still holds everything recorded until then. */
  stop(): Promise<LoadOutcome>;
  onProgress(listener: (progress: LoadProgress) => void): void;
}

/** Something that puts a LoadPlan on a target: k6 today (K6LoadDriver). */
export interface LoadDriver {
  readonly name: string;
  start(plan: LoadPlan): Promise<LoadRun>;
}
