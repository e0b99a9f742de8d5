import type { Experiment } from '../chaos/experiment/experiment-schema.js';
import type { ClusterConfig } from '../core/config/cluster-config.js';
import type { Platform } from '../core/platform/platform.js';
import type { CpuSplitPolicy } from '../core/process/cpu-set.js';
import type { Interrupt } from '../core/process/interrupt.js';
import type { Slo } from '../reports/slo/slo-schema.js';
import type { LoadDriver, LoadPlan } from '../runner/load/load-driver.js';

/** A load part: a scenario with its load plan (target, key and folder are filled in by the pipeline). */
export type RunPart = Omit<LoadPlan, 'target' | 'apiKey' | 'outDir'>;

/** A fault part: a chaos experiment, whose own load runs while its faults are injected and measured. */
export interface FaultPart {
  experiment: Experiment;
  seed: number;
  maxTokens: number;
}

export type PipelinePart = { kind: 'load'; load: RunPart } | ({ kind: 'faults' } & FaultPart);

export interface RunTargetSpec {
  /** Bring a stack up on this platform (and down at the end)... */
  platform?: {
    platform: Platform;
    config: ClusterConfig;
    /** Which CPUs the generator and this stack get (--cpu-split; default auto). */
    cpuSplit?: CpuSplitPolicy;
    /** How long each component may take to come up (the platform's default when left out). */
    readyTimeoutMs?: number;
  };
  /** ...or attach to a stack that is already up (any OpenAI-compatible endpoint). */
  url?: string;
  apiKey?: string;
}

/**
 * Where the report's server-side series come from: the built-in /metrics scrapes (default), a Prometheus
 * the run starts itself (it scrapes every component and receives k6's metrics by remote write; its TSDB is
 * kept in the run folder), or any Prometheus already watching the stack (a cluster's own), read by PromQL
 * over the run's time range with the given label selector.
 */
export type ServerMetricsSource =
  | { kind: 'scrape' }
  | { kind: 'own-prometheus' }
  | { kind: 'prometheus'; url: string; selector: string };

export interface PipelineOptions {
  parts: PipelinePart[];
  target: RunTargetSpec;
  /** Whole-run SLOs. A fault part is judged by its own windows instead (see judge.ts). */
  slos: readonly Slo[];
  /** The SLO file they came from ("default": the shipped one), recorded in run.json's plan. */
  slosSource?: string;
  outDir: string;
  command: string[];
  /** What the command was asked to do, recorded in run.json's config.run. */
  runOptions: Record<string, unknown>;
  /** Seed recorded in run.json (default: the first part's). */
  seed?: number;
  interrupt?: Interrupt;
  progress?: boolean;
  driver?: LoadDriver;
  serverMetrics?: ServerMetricsSource;
  log?: (message: string) => void;
}
