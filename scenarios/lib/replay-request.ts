import { hashString, mixSeed, mulberry32 } from '../../core/random/prng.ts';
import type { GauntletConfig } from './config.ts';
import { pickEndpoint } from './endpoint-mix.ts';
import type { PlannedRequest } from './plan-request.ts';
import type { ScheduledRequest } from './replay-schedule.ts';
import { buildRequest } from './request-body.ts';
import { syntheticPrompt } from './synthetic-prompt.ts';

const endpointStream = 0x72657065; // "repe"
const outputStream = 0x7265706f; // "repo"
const phaseKey = hashString('replay');

/**
 * The request for one trace row: a synthetic prompt of exactly the row's input tokens (as the gateway
 * counts them, 4 characters a token), `max_tokens` set to its output tokens (the reference worker generates
 * exactly that many), the row's endpoint when the trace names one, else one drawn from ENDPOINT_MIX.
 * A pure function of (SEED, index), so two replays of a trace send the same requests.
 */
export function planReplayRequest(
  config: Pick<GauntletConfig, 'seed' | 'endpointMix' | 'idPrefix'>,
  ref: { index: number; vu: number },
  request: ScheduledRequest,
  model: string,
): PlannedRequest {
  const [, inputTokens, outputTokens, named] = request;
  const endpoint =
    named ??
    pickEndpoint(config.endpointMix, mulberry32(mixSeed(config.seed, endpointStream, phaseKey, ref.index))());
  const prompt = syntheticPrompt(config.seed, phaseKey, ref.index, {
    meanTokens: inputTokens,
    sdTokens: 0,
    maxTokens: inputTokens,
  });
  const spec = buildRequest(endpoint, {
    prompt: prompt.text,
    maxTokens: outputTokens,
    seed: mixSeed(config.seed, outputStream, phaseKey, ref.index),
    model,
  });
  return { id: `${config.idPrefix}-replay-${ref.index}-v${ref.vu}`, endpoint, spec };
}
