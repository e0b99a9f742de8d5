import { lognormal, mixSeed, mulberry32 } from '../../core/random/prng.ts';

/** Prompt lengths in tokens: lognormal (the usual shape of real prompt lengths), clamped to [1, max]. */
export interface PromptLengths {
  meanTokens: number;
  /** 0 gives every prompt exactly meanTokens. */
  sdTokens: number;
  maxTokens: number;
}

export interface Prompt {
  text: string;
  /** Length as the gateway estimates it (about 4 characters a token). */
  tokens: number;
}

/** Characters per token in the gateway's estimate (stack/protocol/tokens.ts estimateTokens). */
export const charsPerToken = 4;

// A fixed vocabulary, so prompts are readable and identical across machines and versions.
const vocabulary = (
  'system request answer question explain describe summary detail example context history ' +
  'user agent service cluster region zone node pod container image volume network route ' +
  'latency throughput budget error retry backoff timeout deadline queue batch worker ' +
  'token prompt output input stream chunk model weight layer kernel memory cache ' +
  'alpha beta gamma delta epsilon zeta theta lambda sigma omega ' +
  'red green blue yellow orange purple black white silver golden ' +
  'river mountain forest desert ocean island valley meadow canyon glacier ' +
  'quickly slowly carefully briefly clearly simply exactly roughly nearly fully'
).split(' ');

const promptStream = 0x70726f6d; // "prom"

/**
 * The prompt of one request: its length drawn from `lengths`, its words from the fixed vocabulary, all
 * determined by (seed, key, index) where key names the scenario phase and index is the iteration.
 */
export function syntheticPrompt(seed: number, key: number, index: number, lengths: PromptLengths): Prompt {
  const uniform = mulberry32(mixSeed(seed, promptStream, key, index));
  const drawn = Math.round(lognormal(uniform, lengths.meanTokens, lengths.sdTokens));
  const tokens = Math.min(lengths.maxTokens, Math.max(1, drawn));
  const targetChars = tokens * charsPerToken;
  const words: string[] = [];
  // Length of the words joined by single spaces (no space before the first one).
  let chars = -1;
  // Bounded: every word adds at least 2 characters.
  while (chars < targetChars) {
    const word = vocabulary[Math.floor(uniform() * vocabulary.length)] ?? 'token';
    words.push(word);
    chars += word.length + 1;
  }
  return { text: words.join(' ').slice(0, targetChars), tokens };
}
