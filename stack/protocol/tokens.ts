import { hashString, mulberry32Uint32 } from '../../core/random/prng.js';

/**
 * Deterministic simulated tokens. A request's output is a pure function of its seed, so two runs with the
 * same seed produce the same text, and a report can be reproduced byte for byte.
 */

const words = (
  'the of and to in is that for it as with was on be by this are at from or an have not which but they ' +
  'all one can were there their more when will would has its into other some time these two may then do ' +
  'first any new like our over such only also back after use well way even because most give day us ' +
  'model token batch worker gateway cluster latency queue memory cache prompt stream request response ' +
  'gpu node shard layer tensor kernel decode prefill step rate load fault recover steady state signal ' +
  'data value result report check pass fail error timeout retry route health ready drain lease watch'
).split(' ');

export const vocabularySize = words.length;

/** Text of one token: a word and a space, so streamed text reads naturally. */
export function tokenText(tokenId: number): string {
  return `${words[tokenId % words.length]} `;
}

/** Token ids of one request's deterministic stream (mulberry32), seeded per request. */
export function tokenStream(seed: number): () => number {
  const next = mulberry32Uint32(seed);
  return () => next() % words.length;
}

/** The default seed of a request is the FNV-1a hash of its prompt (the project's one string hash). */
export const hashSeed: (text: string) => number = hashString;

/** Prompt length in tokens, by OpenAI's rule of thumb of about 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
