import { mixSeed, mulberry32 } from '../../core/random/prng.ts';
import { type Env, numberVar, stringVar } from './env-vars.ts';
import { charsPerToken } from './synthetic-prompt.ts';

/**
 * Workload options that change what a cluster can serve, not how fast requests arrive: prompts that share a
 * prefix (a system prompt, few-shot examples), conversations whose every turn resends the ones before it,
 * and clients that give up on a stream before it ends. Read from the environment with the rest of the
 * config (scenarios/README.md), all off by default.
 */
export interface WorkloadOptions {
  /** Share of each synthetic prompt's tokens taken from a shared prefix, 0-1. */
  prefixShare: number;
  /** Distinct shared prefixes; each request draws one. */
  prefixGroups: number;
  /** Turns of a conversation; 1: every request is on its own. */
  turns: number;
  /** Conversations in progress at once: a conversation's next turn is this many requests later. */
  conversations: number;
  /** Share of streamed requests whose client stops reading after `cancelAfterMs`, 0-1. */
  cancelShare: number;
  cancelAfterMs: number;
}

export const noWorkload: WorkloadOptions = {
  prefixShare: 0,
  prefixGroups: 1,
  turns: 1,
  conversations: 8,
  cancelShare: 0,
  cancelAfterMs: 500,
};

export function readWorkload(env: Env): WorkloadOptions {
  const options: WorkloadOptions = {
    prefixShare: numberVar(env, 'PREFIX_SHARE', noWorkload.prefixShare, { min: 0, max: 1 }),
    prefixGroups: numberVar(env, 'PREFIX_GROUPS', noWorkload.prefixGroups, {
      integer: true,
      min: 1,
      max: 1_000_000,
    }),
    turns: numberVar(env, 'TURNS', noWorkload.turns, { integer: true, min: 1, max: 1_000 }),
    conversations: numberVar(env, 'CONVERSATIONS', noWorkload.conversations, {
      integer: true,
      min: 1,
      max: 1_000_000,
    }),
    cancelShare: numberVar(env, 'CANCEL_SHARE', noWorkload.cancelShare, { min: 0, max: 1 }),
    cancelAfterMs: numberVar(env, 'CANCEL_AFTER_MS', noWorkload.cancelAfterMs, { min: 1 }),
  };
  if (stringVar(env, 'PROMPTS') !== undefined && (options.prefixShare > 0 || options.turns > 1)) {
    throw new Error(
      `${options.prefixShare > 0 ? 'PREFIX_SHARE' : 'TURNS'}: works with synthetic prompts only; ` +
        'unset PROMPTS, or leave PREFIX_SHARE at 0 and TURNS at 1 (a dataset brings its own prompts)',
    );
  }
  return options;
}

/** Where iteration `iteration` falls in the conversations: which one, which turn. */
export interface TurnRef {
  conversation: number;
  turn: number;
}

/**
 * Open-model arrivals cannot wait for an answer, so a conversation's turns are spread over the schedule:
 * `conversations` of them run side by side, and iteration i is turn (i / conversations) mod turns of
 * conversation i mod conversations (numbered on after each round of `turns`). At rate r the gap between two
 * turns of one conversation is conversations / r seconds, the user's think time plus the answer.
 */
export function turnOf(
  iteration: number,
  options: Pick<WorkloadOptions, 'turns' | 'conversations'>,
): TurnRef {
  const { turns, conversations } = options;
  const round = Math.floor(iteration / conversations);
  return {
    conversation: Math.floor(round / turns) * conversations + (iteration % conversations),
    turn: round % turns,
  };
}

const prefixStream = 0x70726678; // "prfx"
const prefixGroupStream = 0x67727570; // "grup"
const cancelStream = 0x636e636c; // "cncl"

const prefixWords = (
  'you are a careful assistant for an operations team answer with the facts you have and say when ' +
  'you do not know keep answers short use the runbook steps in order cite the service and region ' +
  'never guess a number check the dashboard first escalate when the error budget burns fast'
).split(' ');

/**
 * Shared prefix `group` (a system prompt of sorts), `chars` long: the same text for every request of the
 * run that draws this group, whatever its phase, so a warm-up fills the cache that the steady phase hits.
 */
export function sharedPrefix(seed: number, group: number, chars: number): string {
  const uniform = mulberry32(mixSeed(seed, prefixStream, group));
  let text = `[context ${group}] `;
  // Bounded: every word adds at least 2 characters.
  while (text.length < chars) text += `${prefixWords[Math.floor(uniform() * prefixWords.length)] ?? 'the'} `;
  return text.slice(0, chars);
}

/** The prefix group a request draws (uniform over PREFIX_GROUPS). */
export function prefixGroupOf(seed: number, conversation: number, groups: number): number {
  return Math.floor(mulberry32(mixSeed(seed, prefixGroupStream, conversation))() * groups);
}

/**
 * `prompt` with its first `share` of characters replaced by the shared prefix of `group`: the prompt keeps
 * its length, so the token distribution is the same with and without sharing.
 */
export function withSharedPrefix(prompt: string, share: number, seed: number, group: number): string {
  if (share <= 0) return prompt;
  const chars = Math.round(prompt.length * share);
  // Whole tokens of prefix, then the prompt's own text after it.
  const prefixChars = Math.min(prompt.length, Math.floor(chars / charsPerToken) * charsPerToken);
  return sharedPrefix(seed, group, prefixChars) + prompt.slice(prefixChars);
}

/** Whether the client of this request gives up on its stream early (drawn per request, seeded). */
export function cancelsEarly(seed: number, phaseKey: number, iteration: number, share: number): boolean {
  if (share <= 0) return false;
  return mulberry32(mixSeed(seed, cancelStream, phaseKey, iteration))() < share;
}
