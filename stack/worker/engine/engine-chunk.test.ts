import { describe, expect, it } from 'vitest';
import { readEngineChunk } from './engine-chunk.js';
import { sseData } from './sse-events.js';

describe('readEngineChunk', () => {
  it('reads completion text, chat deltas, finish reasons and usage', () => {
    expect(readEngineChunk('{"choices":[{"index":0,"text":"hello","finish_reason":null}]}')).toEqual({
      text: 'hello',
    });
    expect(readEngineChunk('{"choices":[{"delta":{"content":"hi"},"finish_reason":"length"}]}')).toEqual({
      text: 'hi',
      finishReason: 'length',
    });
    expect(readEngineChunk('{"choices":[{"delta":{},"finish_reason":"eos"}]}')).toEqual({
      text: '',
      finishReason: 'stop',
    });
    expect(readEngineChunk('{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":8}}')).toEqual({
      text: '',
      promptTokens: 3,
      completionTokens: 8,
    });
  });

  it('reports an error chunk and a chunk that is not JSON as errors, never as empty text', () => {
    expect(readEngineChunk('{"error":{"message":"boom"}}').error).toBe('the engine failed mid-stream: boom');
    expect(readEngineChunk('not json').error).toMatch(/not JSON: not json/);
  });
});

describe('sseData', () => {
  it('yields data payloads split across chunks and skips comments and other fields', async () => {
    async function* body() {
      yield ': keep-alive\n\nevent: x\nda';
      yield 'ta: {"a":1}\r\n\ndata: [DONE]';
    }
    const payloads: string[] = [];
    for await (const payload of sseData(body())) payloads.push(payload);
    expect(payloads).toEqual(['{"a":1}', '[DONE]']);
  });
});
