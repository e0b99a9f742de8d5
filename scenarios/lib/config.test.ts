import { describe, expect, it } from 'vitest';
import { isLoopback, readConfig } from './config.ts';
import { parseDurationS } from './env-vars.ts';

const defaults = { rate: 10, durationS: 60, warmupS: 10 };
const target = { GAUNTLET_TARGET: 'http://127.0.0.1:8080/' };

describe('readConfig', () => {
  it('applies the scenario defaults and the documented ones', () => {
    const config = readConfig(target, defaults);
    expect(config).toMatchObject({
      target: 'http://127.0.0.1:8080',
      apiKey: undefined,
      rate: 10,
      durationS: 60,
      warmupS: 10,
      seed: 1,
      endpointMix: [{ endpoint: 'chat_stream', share: 1 }],
      maxTokens: 64,
      model: undefined,
      prompts: { kind: 'synthetic', lengths: { meanTokens: 256, sdTokens: 64, maxTokens: 4096 } },
      requestTimeoutMs: 60_000,
      idPrefix: 'g1',
      slo: { e2eP99Ms: 30_000, ttftP99Ms: 5_000, errorRate: 0.01 },
    });
  });

  it('reads every variable', () => {
    const config = readConfig(
      {
        ...target,
        GAUNTLET_API_KEY: 'k',
        RATE: '2.5',
        DURATION: '1m30s',
        WARMUP: '0',
        SEED: '7',
        ENDPOINT_MIX: 'infer:1',
        MAX_TOKENS: '16',
        MODEL: 'm',
        PROMPTS: '/data/sharegpt.jsonl',
        GAUNTLET_RUN_ID: 'run 2024-01-01/x',
        SLO_ERROR_RATE: '0',
      },
      defaults,
    );
    expect(config).toMatchObject({
      apiKey: 'k',
      rate: 2.5,
      durationS: 90,
      warmupS: 0,
      seed: 7,
      endpointMix: [{ endpoint: 'infer', share: 1 }],
      maxTokens: 16,
      model: 'm',
      prompts: { kind: 'file', path: '/data/sharegpt.jsonl' },
      idPrefix: 'g7.run20240101x',
      slo: { errorRate: 0 },
    });
  });

  it('stops on mistakes with the variable, the value and what is allowed', () => {
    expect(() => readConfig({}, defaults)).toThrow('GAUNTLET_TARGET: required');
    expect(() => readConfig({ GAUNTLET_TARGET: '127.0.0.1:80' }, defaults)).toThrow('not an http(s) URL');
    expect(() => readConfig({ ...target, RATE: 'fast' }, defaults)).toThrow(
      "RATE: must be a number >= 0.001 <= 1000000, got 'fast'",
    );
    expect(() => readConfig({ ...target, SEED: '1.5' }, defaults)).toThrow('SEED: must be an integer >= 0');
    expect(() => readConfig({ ...target, DURATION: '5 minutes' }, defaults)).toThrow(
      "DURATION: '5 minutes' is not a duration",
    );
  });

  it('keeps load on loopback unless the harness vouches for the target', () => {
    expect(() => readConfig({ GAUNTLET_TARGET: 'http://10.0.0.5:8080' }, defaults)).toThrow(
      "'10.0.0.5' is not a loopback address",
    );
    expect(() => readConfig({ GAUNTLET_TARGET: 'https://example.com' }, defaults)).toThrow('not a loopback');
    const vouched = readConfig(
      { GAUNTLET_TARGET: 'http://172.17.0.2:8080', GAUNTLET_ALLOW_NON_LOOPBACK: 'true' },
      defaults,
    );
    expect(vouched.target).toBe('http://172.17.0.2:8080');
    expect(readConfig({ GAUNTLET_TARGET: 'http://[::1]:9000' }, defaults).target).toBe('http://[::1]:9000');
    expect(isLoopback('127.255.0.1')).toBe(true);
    expect(isLoopback('127.0.0.256')).toBe(false);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('localhost')).toBe(true);
  });
});

describe('parseDurationS', () => {
  it('reads k6 durations and plain seconds', () => {
    expect(parseDurationS('90', 'D')).toBe(90);
    expect(parseDurationS('1h30m', 'D')).toBe(5400);
    expect(parseDurationS('250ms', 'D')).toBe(0.25);
    expect(parseDurationS('1.5s', 'D')).toBe(1.5);
    expect(() => parseDurationS('1d', 'D')).toThrow("D: '1d' is not a duration");
  });
});
