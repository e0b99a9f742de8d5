import { hashString, mixSeed, mulberry32 } from '../../core/random/prng.ts';
import type { GauntletConfig } from './config.ts';
import { type Endpoint, pickEndpoint } from './endpoint-mix.ts';
import { buildRequest, type ChatMessage, type RequestSpec } from './request-body.ts';
import { syntheticPrompt } from './synthetic-prompt.ts';
import { cancelsEarly, prefixGroupOf, turnOf, withSharedPrefix } from './workload.ts';

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
  /** A client that stops reading its stream this long after sending (CANCEL_SHARE); absent: reads it all. */
  cancelAfterMs?: number;
}

const endpointStream = 0x656e6470; // "endp"
const outputStream = 0x6f757470; // "outp"
const datasetStream = 0x64617461; // "data"
const conversationStream = 0x636f6e76; // "conv"
const answerStream = 0x616e7377; // "answ"

type PlanConfig = Pick<GauntletConfig, 'seed' | 'endpointMix' | 'prompts' | 'maxTokens' | 'idPrefix'> &
  Partial<Pick<GauntletConfig, 'workload'>>;

/**
 * The request of one iteration, a pure function of (SEED, phase, iteration): which endpoint, which prompt,
 * which output seed. The id adds the VU so that it also says who sent it.
 */
export function planRequest(
  config: PlanConfig,
  ref: IterationRef,
  model: string,
  pool: PromptPool | undefined,
): PlannedRequest {
  const phaseKey = hashString(ref.phase);
  const endpoint = pickEndpoint(
    config.endpointMix,
    mulberry32(mixSeed(config.seed, endpointStream, phaseKey, ref.iteration))(),
  );
  const workload = config.workload;
  let prompt: string;
  let messages: ChatMessage[] | undefined;
  if (config.prompts.kind === 'synthetic' && workload && workload.turns > 1) {
    messages = conversationMessages(config, phaseKey, ref.iteration);
    prompt = messages.map((message) => `${message.role}: ${message.content}`).join('\n');
  } else if (config.prompts.kind === 'synthetic') {
    prompt = syntheticPrompt(config.seed, phaseKey, ref.iteration, config.prompts.lengths).text;
    if (workload && workload.prefixShare > 0) {
      const group = prefixGroupOf(config.seed, ref.iteration, workload.prefixGroups);
      prompt = withSharedPrefix(prompt, workload.prefixShare, config.seed, group);
    }
  } else {
    if (!pool || pool.length === 0) throw new Error(`PROMPTS: ${config.prompts.path} holds no prompts`);
    const draw = mulberry32(mixSeed(config.seed, datasetStream, phaseKey, ref.iteration))();
    prompt = pool.at(Math.floor(draw * pool.length));
  }
  const spec = buildRequest(endpoint, {
    prompt,
    ...(messages ? { messages } : {}),
    maxTokens: config.maxTokens,
    seed: mixSeed(config.seed, outputStream, phaseKey, ref.iteration),
    model,
  });
  const cancels =
    spec.streamed &&
    workload !== undefined &&
    cancelsEarly(config.seed, phaseKey, ref.iteration, workload.cancelShare);
  return {
    id: `${config.idPrefix}-${ref.phase}-${ref.iteration}-v${ref.vu}`,
    endpoint,
    spec,
    ...(cancels && workload ? { cancelAfterMs: workload.cancelAfterMs } : {}),
  };
}

/**
 * The messages of a conversation's turn: every earlier user message and answer, then this turn's user
 * message. The answers are synthetic text of MAX_TOKENS tokens (the client cannot carry the real answer from
 * one iteration to the next, which another VU may run), so the next turn resends the previous prompt
 * exactly, and a prefix cache can hit on it. The first user message starts with the shared prefix when
 * PREFIX_SHARE is set.
 */
function conversationMessages(config: PlanConfig, phaseKey: number, iteration: number): ChatMessage[] {
  const workload = config.workload;
  if (!workload || config.prompts.kind !== 'synthetic') return [];
  const { conversation, turn } = turnOf(iteration, workload);
  const key = mixSeed(conversationStream, phaseKey, conversation);
  const answerLengths = { meanTokens: config.maxTokens, sdTokens: 0, maxTokens: config.maxTokens };
  const messages: ChatMessage[] = [];
  for (let t = 0; t <= turn; t++) {
    let content = syntheticPrompt(config.seed, key, t, config.prompts.lengths).text;
    if (t === 0 && workload.prefixShare > 0) {
      const group = prefixGroupOf(config.seed, conversation, workload.prefixGroups);
      content = withSharedPrefix(content, workload.prefixShare, config.seed, group);
    }
    messages.push({ role: 'user', content });
    if (t < turn) {
      const answer = syntheticPrompt(config.seed, mixSeed(answerStream, key), t, answerLengths).text;
      messages.push({ role: 'assistant', content: answer });
    }
  }
  return messages;
}
