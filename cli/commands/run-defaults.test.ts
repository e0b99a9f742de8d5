import { describe, expect, it } from 'vitest';
import { loadDefaultSlos } from '../../reports/slo/load-slos.js';
import { defaultDurationS, defaultEndpointMix, openAiEndpointMix } from './run-command.js';

describe('gauntlet run defaults', () => {
  const slos = loadDefaultSlos();

  it('decides every default SLO at the default rate and length of load', () => {
    // 20 req/s, 60 s after a 10 s warm-up: 1,400 requests, more than the 1,196 a p99 of half the mix needs.
    expect(defaultDurationS('load', 20, slos, defaultEndpointMix)).toEqual({ durationS: 60 });
  });

  it('runs longer at a lower rate instead of ending inconclusive, and leaves smoke alone', () => {
    expect(defaultDurationS('load', 10, slos, defaultEndpointMix)).toEqual({
      durationS: 110,
      drivenBy: { id: 'infer-p99-e2e', requests: 1196 },
    });
    expect(defaultDurationS('smoke', 1, slos, defaultEndpointMix)).toEqual({ durationS: 10 });
  });

  it('sizes an OpenAI-only mix by the SLOs that apply to it (infer is not applicable there)', () => {
    expect(defaultDurationS('load', 20, slos, openAiEndpointMix).durationS).toBe(60);
    expect(defaultDurationS('load', 5, slos, openAiEndpointMix)).toEqual({
      durationS: 230,
      drivenBy: { id: 'chat-stream-p99-ttft', requests: 1196 },
    });
  });
});
