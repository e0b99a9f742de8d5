import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';
import { planRequest } from './plan-request.ts';

const config = readConfig(
  { GAUNTLET_TARGET: 'http://127.0.0.1:1', ENDPOINT_MIX: 'infer:0.25,chat:0.25,chat_stream:0.5', SEED: '9' },
  { rate: 1, durationS: 1, warmupS: 0 },
);

describe('planRequest', () => {
  it('is reproducible from (SEED, phase, iteration) whatever VU sends it', () => {
    const a = planRequest(config, { phase: 'steady', iteration: 17, vu: 1 }, 'm', undefined);
    const b = planRequest(config, { phase: 'steady', iteration: 17, vu: 5 }, 'm', undefined);
    expect(b.spec).toEqual(a.spec);
    expect(a.id).toBe('g9-steady-17-v1');
    expect(b.id).toBe('g9-steady-17-v5');
    const other = planRequest(
      { ...config, seed: 10 },
      { phase: 'steady', iteration: 17, vu: 1 },
      'm',
      undefined,
    );
    expect(other.spec.body).not.toBe(a.spec.body);
  });

  it('follows the endpoint mix and builds each endpoint its body', () => {
    const counts = { infer: 0, chat: 0, chat_stream: 0, completions: 0 };
    for (let iteration = 0; iteration < 4_000; iteration++) {
      const { endpoint, spec } = planRequest(config, { phase: 'steady', iteration, vu: 1 }, 'm', undefined);
      counts[endpoint]++;
      const body = JSON.parse(spec.body) as Record<string, unknown>;
      expect(body.max_tokens).toBe(64);
      if (endpoint === 'infer') {
        expect(spec).toMatchObject({ path: '/infer', streamed: false });
        expect(typeof body.prompt).toBe('string');
      } else {
        expect(spec.path).toBe('/v1/chat/completions');
        expect(body.model).toBe('m');
        expect(spec.streamed).toBe(endpoint === 'chat_stream');
        if (spec.streamed) expect(body.stream_options).toEqual({ include_usage: true });
      }
    }
    expect(counts.completions).toBe(0);
    expect(Math.abs(counts.infer / 4_000 - 0.25)).toBeLessThan(0.03);
    expect(Math.abs(counts.chat_stream / 4_000 - 0.5)).toBeLessThan(0.03);
  });

  it('draws dataset prompts from the pool', () => {
    const fileConfig = { ...config, prompts: { kind: 'file' as const, path: '/p.jsonl' } };
    const pool = { length: 3, at: (i: number) => `prompt ${i}` };
    const seen = new Set<string>();
    for (let iteration = 0; iteration < 200; iteration++) {
      const { spec } = planRequest(fileConfig, { phase: 'x', iteration, vu: 1 }, 'm', pool);
      const body = JSON.parse(spec.body) as { prompt?: string; messages?: Array<{ content: string }> };
      seen.add(body.prompt ?? body.messages?.[0]?.content ?? '');
    }
    expect(seen).toEqual(new Set(['prompt 0', 'prompt 1', 'prompt 2']));
    expect(() => planRequest(fileConfig, { phase: 'x', iteration: 0, vu: 1 }, 'm', undefined)).toThrow(
      'PROMPTS: /p.jsonl holds no prompts',
    );
  });
});
