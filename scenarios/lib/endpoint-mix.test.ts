import { describe, expect, it } from 'vitest';
import { formatEndpointMix, parseEndpointMix, pickEndpoint } from './endpoint-mix.ts';

describe('endpoint mix', () => {
  it('normalizes weights in a fixed endpoint order', () => {
    expect(parseEndpointMix('chat_stream:3, infer:1')).toEqual([
      { endpoint: 'infer', share: 0.25 },
      { endpoint: 'chat_stream', share: 0.75 },
    ]);
    expect(parseEndpointMix('completions')).toEqual([{ endpoint: 'completions', share: 1 }]);
    expect(formatEndpointMix(parseEndpointMix('infer:1,chat:1,chat_stream:2'))).toBe(
      'infer:0.25,chat:0.25,chat_stream:0.5',
    );
  });

  it('names the variable, the value and what is allowed when wrong', () => {
    expect(() => parseEndpointMix('infer:0.5,embeddings:0.5')).toThrow(
      "ENDPOINT_MIX: unknown endpoint 'embeddings' (allowed: infer, chat, chat_stream, completions)",
    );
    expect(() => parseEndpointMix('infer:-1')).toThrow("weight of 'infer' must be a number >= 0, got '-1'");
    expect(() => parseEndpointMix('infer:0')).toThrow('no endpoint with a weight > 0');
  });

  it('picks endpoints in proportion to their shares', () => {
    const mix = parseEndpointMix('infer:0.5,chat_stream:0.5');
    expect(pickEndpoint(mix, 0)).toBe('infer');
    expect(pickEndpoint(mix, 0.4999)).toBe('infer');
    expect(pickEndpoint(mix, 0.5)).toBe('chat_stream');
    expect(pickEndpoint(mix, 0.999999999)).toBe('chat_stream');
  });
});
