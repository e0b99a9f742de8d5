import { describe, expect, it } from 'vitest';
import { parseEndpointMix } from './endpoint-mix.ts';
import { planReplayRequest } from './replay-request.ts';
import { charsPerToken } from './synthetic-prompt.ts';

const config = { seed: 3, endpointMix: parseEndpointMix('infer:1,chat_stream:1'), idPrefix: 'g3.run' };

describe('planReplayRequest', () => {
  it("sends the row's input tokens as the prompt and its output tokens as max_tokens", () => {
    const planned = planReplayRequest(config, { index: 4, vu: 2 }, [10, 300, 17], 'm');
    const body = JSON.parse(planned.spec.body) as {
      max_tokens: number;
      prompt?: string;
      messages?: Array<{ content: string }>;
    };
    const prompt = body.prompt ?? body.messages?.[0]?.content ?? '';
    expect(prompt.length).toBe(300 * charsPerToken);
    expect(body.max_tokens).toBe(17);
    expect(planned.id).toBe('g3.run-replay-4-v2');
  });

  it('keeps the endpoint a trace names, draws one from the mix otherwise, the same for the same seed', () => {
    expect(planReplayRequest(config, { index: 0, vu: 1 }, [0, 5, 2, 'completions'], 'm').endpoint).toBe(
      'completions',
    );
    const drawn = Array.from({ length: 200 }, (_, index) =>
      planReplayRequest(config, { index, vu: 1 }, [0, 5, 2], 'm'),
    );
    const endpoints = new Set(drawn.map((p) => p.endpoint));
    expect(endpoints).toEqual(new Set(['infer', 'chat_stream']));
    expect(planReplayRequest(config, { index: 9, vu: 7 }, [0, 5, 2], 'm').spec).toEqual(drawn[9]?.spec);
  });
});
