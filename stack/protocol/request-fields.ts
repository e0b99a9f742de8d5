import { z } from 'zod';
import { maxPrefixBlocks } from './prefix-blocks.js';

/** Longest prompt text carried between services (the gateway's body limit binds first by default). */
export const maxPromptChars = 4_000_000;

/**
 * The fields a request carries on both hops (gateway -> batcher submit, batcher -> worker batch), defined
 * once so that the two validators cannot drift apart again.
 *
 * promptTokens is at least 1: the gateway estimates every prompt at one token or more (an empty prompt
 * still costs the prefill of its start token), and the worker cannot prefill nothing. A batcher that
 * accepted 0 would admit a request that every worker then refuses with bad_request, turning the client's
 * clear 400 into a late worker failure.
 */
export const requestFields = {
  id: z.string().min(1).max(256),
  promptTokens: z.number().int().min(1).max(10_000_000),
  maxTokens: z.number().int().min(1).max(1_000_000),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  resumeFrom: z.number().int().min(0).max(1_000_000).optional(),
  /** Chained hashes of the prompt's whole blocks (prefix-blocks.ts): its identity for the prefix cache. */
  prefixHashes: z
    .array(
      z
        .number()
        .int()
        .min(0)
        .max(2 ** 32 - 1),
    )
    .max(maxPrefixBlocks)
    .optional(),
  /**
   * The prompt's text, carried only when the workers front a real engine (config `worker.engine`): the
   * simulated GPU needs its length and seed, a real model needs the words. Chat requests carry `messages`.
   */
  prompt: z.string().max(maxPromptChars).optional(),
  messages: z
    .array(z.object({ role: z.string().min(1).max(64), content: z.string().max(maxPromptChars) }))
    .min(1)
    .max(10_000)
    .optional(),
};

/** A resumed stream continues below its limit; resuming at or past maxTokens has nothing left to send. */
export function resumesBelowMax(item: { resumeFrom?: number | undefined; maxTokens: number }): boolean {
  return (item.resumeFrom ?? 0) < item.maxTokens;
}

export const resumesBelowMaxIssue = { message: 'resumeFrom must be below maxTokens', path: ['resumeFrom'] };
