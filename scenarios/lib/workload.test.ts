import { describe, expect, it } from 'vitest';
import { prefixBlockHashes } from '../../stack/protocol/prefix-blocks.ts';
import { readConfig } from './config.ts';
import { planRequest } from './plan-request.ts';
import { readWorkload, turnOf, withSharedPrefix } from './workload.ts';

const base = { GAUNTLET_TARGET: 'http://127.0.0.1:1', SEED: '3', PROMPT_TOKENS_MEAN: '256' };
const defaults = { rate: 1, durationS: 1, warmupS: 0 };
const configOf = (env: Record<string, string>) => readConfig({ ...base, ...env }, defaults);

interface Body {
  prompt?: string;
  messages?: Array<{ role: string; content: string }>;
}
const bodyOf = (env: Record<string, string>, iteration: number, phase = 'steady'): Body =>
  JSON.parse(planRequest(configOf(env), { phase, iteration, vu: 1 }, 'm', undefined).spec.body) as Body;

/** Leading block hashes two prompts share. */
function sharedBlocks(a: string, b: string): number {
  const x = prefixBlockHashes(a);
  const y = prefixBlockHashes(b);
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}

describe('workload options', () => {
  it('are off by default and validated with the variable, the value and what is allowed', () => {
    expect(readWorkload({})).toMatchObject({ prefixShare: 0, turns: 1, cancelShare: 0 });
    expect(() => readWorkload({ PREFIX_SHARE: '1.5' })).toThrow(
      "PREFIX_SHARE: must be a number >= 0 <= 1, got '1.5'",
    );
    expect(() => readWorkload({ TURNS: '0' })).toThrow("TURNS: must be an integer >= 1 <= 1000, got '0'");
    expect(() => readWorkload({ CANCEL_SHARE: 'x' })).toThrow(/CANCEL_SHARE: must be a number/);
    expect(() => readWorkload({ PROMPTS: 'a.jsonl', PREFIX_SHARE: '0.5' })).toThrow(
      /PREFIX_SHARE: works with synthetic prompts only/,
    );
  });

  it('leaves prompts exactly as before when off', () => {
    expect(bodyOf({ ENDPOINT_MIX: 'infer:1' }, 5)).toEqual(
      bodyOf({ ENDPOINT_MIX: 'infer:1', PREFIX_SHARE: '0' }, 5),
    );
  });

  it('gives every prompt the same first share of its text, keeping its length', () => {
    const env = { ENDPOINT_MIX: 'infer:1', PREFIX_SHARE: '0.5', PROMPT_TOKENS_SD: '0' };
    const a = bodyOf(env, 1).prompt ?? '';
    const b = bodyOf(env, 2, 'warmup').prompt ?? '';
    const plain = bodyOf({ ENDPOINT_MIX: 'infer:1', PROMPT_TOKENS_SD: '0' }, 1).prompt ?? '';
    expect(a.length).toBe(plain.length);
    expect(a.slice(0, 512)).toBe(b.slice(0, 512));
    // 256 tokens = 1,024 characters = 16 blocks; half of them are shared, across phases too.
    expect(sharedBlocks(a, b)).toBe(8);
    expect(
      sharedBlocks(plain, bodyOf({ ENDPOINT_MIX: 'infer:1', PROMPT_TOKENS_SD: '0' }, 2).prompt ?? ''),
    ).toBe(0);
    expect(withSharedPrefix('abcdefgh', 0, 1, 0)).toBe('abcdefgh');
  });

  it('draws one of PREFIX_GROUPS prefixes per request', () => {
    const env = { ENDPOINT_MIX: 'infer:1', PREFIX_SHARE: '0.5', PREFIX_GROUPS: '4' };
    const heads = new Set<string>();
    for (let i = 0; i < 200; i++) heads.add((bodyOf(env, i).prompt ?? '').slice(0, 60));
    expect(heads.size).toBe(4);
  });

  it('spreads conversations over the schedule: turn t of a conversation resends turns 0..t-1', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => turnOf(i, { turns: 2, conversations: 2 }))).toEqual([
      { conversation: 0, turn: 0 },
      { conversation: 1, turn: 0 },
      { conversation: 0, turn: 1 },
      { conversation: 1, turn: 1 },
      { conversation: 2, turn: 0 },
      { conversation: 3, turn: 0 },
      { conversation: 2, turn: 1 },
      { conversation: 3, turn: 1 },
    ]);
    const env = { ENDPOINT_MIX: 'chat_stream:1', TURNS: '3', CONVERSATIONS: '4', MAX_TOKENS: '16' };
    const first = bodyOf(env, 1).messages ?? [];
    const second = bodyOf(env, 5).messages ?? [];
    const third = bodyOf(env, 9).messages ?? [];
    expect(first.map((m) => m.role)).toEqual(['user']);
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(third).toHaveLength(5);
    expect(second.slice(0, 1)).toEqual(first);
    expect(third.slice(0, 3)).toEqual(second);
    expect(second[1]?.content.length).toBe(16 * 4);
    // Another conversation is another text.
    expect((bodyOf(env, 2).messages ?? [])[0]).not.toEqual(first[0]);
    // The text routes see the same conversation as one growing prompt.
    const text = bodyOf({ ...env, ENDPOINT_MIX: 'completions:1' }, 5).prompt ?? '';
    const earlier = bodyOf({ ...env, ENDPOINT_MIX: 'completions:1' }, 1).prompt ?? '';
    expect(text.startsWith(earlier)).toBe(true);
  });

  it('marks CANCEL_SHARE of the streamed requests to be cancelled, never a non-streamed one', () => {
    const env = { ENDPOINT_MIX: 'infer:0.5,chat_stream:0.5', CANCEL_SHARE: '0.2', CANCEL_AFTER_MS: '300' };
    const config = configOf(env);
    let streamed = 0;
    let cancels = 0;
    for (let iteration = 0; iteration < 4_000; iteration++) {
      const planned = planRequest(config, { phase: 'steady', iteration, vu: 1 }, 'm', undefined);
      if (planned.spec.streamed) streamed++;
      if (planned.cancelAfterMs !== undefined) {
        expect(planned.spec.streamed).toBe(true);
        expect(planned.cancelAfterMs).toBe(300);
        cancels++;
      }
    }
    expect(cancels / streamed).toBeGreaterThan(0.17);
    expect(cancels / streamed).toBeLessThan(0.23);
  });
});
