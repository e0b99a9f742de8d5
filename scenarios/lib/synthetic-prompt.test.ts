import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../stack/protocol/tokens.js';
import { syntheticPrompt } from './synthetic-prompt.ts';

const lengths = { meanTokens: 128, sdTokens: 32, maxTokens: 1024 };

describe('syntheticPrompt', () => {
  it('is a pure function of seed, key and index', () => {
    expect(syntheticPrompt(1, 5, 9, lengths)).toEqual(syntheticPrompt(1, 5, 9, lengths));
    expect(syntheticPrompt(1, 5, 9, lengths).text).not.toBe(syntheticPrompt(1, 5, 10, lengths).text);
    expect(syntheticPrompt(1, 5, 9, lengths).text).not.toBe(syntheticPrompt(2, 5, 9, lengths).text);
  });

  it('has the length in tokens that the gateway will estimate', () => {
    for (let i = 0; i < 200; i++) {
      const prompt = syntheticPrompt(3, 1, i, lengths);
      expect(estimateTokens(prompt.text)).toBe(prompt.tokens);
      expect(prompt.text).toMatch(/^[a-z ]+$/);
    }
  });

  it('follows the length distribution and its bounds', () => {
    const tokens = Array.from({ length: 4_000 }, (_, i) => syntheticPrompt(4, 2, i, lengths).tokens);
    const mean = tokens.reduce((a, b) => a + b, 0) / tokens.length;
    expect(Math.abs(mean - 128) / 128).toBeLessThan(0.03);
    const fixed = Array.from({ length: 50 }, (_, i) => syntheticPrompt(4, 2, i, { ...lengths, sdTokens: 0 }));
    expect(new Set(fixed.map((p) => p.tokens))).toEqual(new Set([128]));
    const clamped = syntheticPrompt(4, 2, 0, { meanTokens: 5000, sdTokens: 0, maxTokens: 100 });
    expect(clamped.tokens).toBe(100);
    expect(clamped.text).toHaveLength(400);
  });
});
