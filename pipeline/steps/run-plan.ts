import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PromptSourceRecord, RunPlan } from '../../reports/run-plan.js';
import { RUN_PLAN_VERSION } from '../../reports/run-plan.js';
import type { PipelineOptions } from '../pipeline-options.js';

/** run.json's `plan`: the parts as the pipeline ran them and the SLOs as they were judged. */
export function runPlanOf(options: PipelineOptions): RunPlan {
  return {
    version: RUN_PLAN_VERSION,
    parts: options.parts.map((part) =>
      part.kind === 'load'
        ? {
            kind: 'load',
            scenario: part.load.scenario,
            rate: part.load.rate,
            durationS: part.load.durationS,
            seed: part.load.seed,
            endpointMix: part.load.endpointMix,
            maxTokens: part.load.maxTokens,
            ...(part.load.env ? { env: { ...part.load.env } } : {}),
            prompts: promptSourceOf(part.load.env),
          }
        : { kind: 'faults', experiment: part.experiment.id, seed: part.seed, maxTokens: part.maxTokens },
    ),
    slos: [...options.slos],
    slosSource: options.slosSource ?? sloSourceFromRunOptions(options.runOptions),
  };
}

/** Synthetic prompts follow from the seed; a prompt file is hashed, so a repro notices it changed. */
export function promptSourceOf(env: Readonly<Record<string, string>> | undefined): PromptSourceRecord {
  const path = env?.PROMPTS;
  if (!path) return { kind: 'synthetic' };
  return { kind: 'file', path: resolve(path), sha256: sha256Of(resolve(path)) };
}

export function sha256Of(file: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return null;
  }
}

function sloSourceFromRunOptions(runOptions: Record<string, unknown>): string {
  return typeof runOptions.slos === 'string' ? runOptions.slos : 'unknown';
}
