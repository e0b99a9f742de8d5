import { hashString, mixSeed, mulberry32 } from '../../core/random/prng.ts';
import type { GauntletConfig } from './config.ts';
import { type Endpoint, pickEndpoint } from './endpoint-mix.ts';
import { buildRequest, type RequestSpec } from './request-body.ts';
import { syntheticPrompt } from './synthetic-prompt.ts';

/** Dataset prompts, however they are stored (k6: a SharedArray). */
export interface PromptPool {
  readonly length: number;
  at(index: number): string;
}

export interface IterationRef {
  /** The k6 scenario, which is the phase. */
  phase: string;
  /** exec.scenario.iterationInTest: unique within the phase, and what makes the request reproducible. */
  iteration: number;
  /** exec.vu.idInTest, for the request id only. */
  vu: number;
}

export interface PlannedRequest {
  id: string;
  endpoint: Endpoint;
  spec: RequestSpec;
}

const endpointStream = 0x656e6470; // "endp"
const outputStream = 0x6f757470; // "outp"
const datasetStream = 0x64617461; // "data"

/**
 * The request of one iteration, a pure function of (SEED, phase, iteration): which endpoint, which prompt,
 * which output seed. The id adds the VU so that it also says who sent it.
 */
export function planRequest(
  config: Pick<GauntletConfig, 'seed' | 'endpointMix' | 'prompts' | 'maxTokens' | 'idPrefix'>,
  ref: IterationRef,
  model: string,
  pool: PromptPool | undefined,
): PlannedRequest {
  const phaseKey = hashString(ref.phase);
  const endpoint = pickEndpoint(
    config.endpointMix,
    mulberry32(mixSeed(config.seed, endpointStream, phaseKey, ref.iteration))(),
  );
  let prompt: string;
  if (config.prompts.kind === 'synthetic') {
    prompt = syntheticPrompt(config.seed, phaseKey, ref.iteration, config.prompts.lengths).text;
  } else {
    if (!pool || pool.length === 0) throw new Error(`PROMPTS: ${config.prompts.path} holds no prompts`);
    const draw = mulberry32(mixSeed(config.seed, datasetStream, phaseKey, ref.iteration))();
    prompt = pool.at(Math.floor(draw * pool.length));
  }
  const spec = buildRequest(endpoint, {
    prompt,
    maxTokens: config.maxTokens,
    seed: mixSeed(config.seed, outputStream, phaseKey, ref.iteration),
    model,
  });
  return { id: `${config.idPrefix}-${ref.phase}-${ref.iteration}-v${ref.vu}`, endpoint, spec };
}
