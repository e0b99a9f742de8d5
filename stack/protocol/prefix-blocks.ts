import { hashString, mixSeed } from '../../core/random/prng.js';

/**
 * Prefix identity of a prompt, the way vLLM's automatic prefix caching names KV blocks: the prompt is cut
 * into blocks of `prefixBlockTokens` tokens and block i is named by a hash of its own text chained with the
 * hash of block i - 1, so two prompts share block i's hash only when they share everything up to its end.
 * The gateway computes them from the prompt text; the worker's prefix cache looks them up. Only whole blocks
 * are named (vLLM caches only full blocks).
 */

/** vLLM's default block size. */
export const prefixBlockTokens = 16;

/** Characters of one block, by the same 4-characters-a-token rule as `estimateTokens`. */
export const prefixBlockChars = prefixBlockTokens * 4;

/** Most blocks a request names (1,048,576 prompt tokens); the rest of a longer prompt is never cached. */
export const maxPrefixBlocks = 65_536;

/** Chained 32-bit block hashes of `text`'s whole blocks (at most `maxPrefixBlocks`). */
export function prefixBlockHashes(text: string): number[] {
  const count = Math.min(maxPrefixBlocks, Math.floor(text.length / prefixBlockChars));
  const hashes: number[] = new Array(count);
  let parent = 0;
  for (let i = 0; i < count; i++) {
    const block = hashString(text.slice(i * prefixBlockChars, (i + 1) * prefixBlockChars));
    parent = mixSeed(parent, block, i);
    hashes[i] = parent;
  }
  return hashes;
}
