import { describe, expect, it } from 'vitest';
import { chatFormat, completionFormat, usageOf } from '../../stack/gateway/response-formats.js';
import { type SseEvent, summarizeStream } from './stream-summary.ts';

const context = { requestId: 'r1', model: 'm', includeUsage: true };
const at = (atMs: number, payload: unknown): SseEvent => ({
  data: typeof payload === 'string' ? payload : JSON.stringify(payload),
  event: 'message',
  atMs,
});

/** The gateway's own chunks: opening, three deltas 20 ms apart, finish, usage, [DONE]. */
function chatStream(): SseEvent[] {
  const format = chatFormat(context);
  return [
    ...format.opening().map((chunk) => at(5, chunk)),
    at(30, format.delta('alpha ')),
    at(50, format.delta('beta ')),
    at(72.5, format.delta('gamma ')),
    at(73, format.finish('length')),
    at(73, format.usage(usageOf(12, 3))),
    at(73.1, '[DONE]'),
  ];
}

describe('summarizeStream', () => {
  it('reads TTFT, ITL, usage and completeness from chat chunks', () => {
    expect(summarizeStream(chatStream())).toEqual({
      ttftMs: 30,
      itlMs: [20, 22.5],
      contentEvents: 3,
      completionTokens: 3,
      promptTokens: 12,
      sawDone: true,
      sawFinish: true,
      sawError: false,
      malformed: 0,
    });
  });

  it('reads text-completion chunks', () => {
    const format = completionFormat(context);
    const summary = summarizeStream([
      at(10, format.delta('')),
      at(15, format.delta('one ')),
      at(35, format.delta('two ')),
      at(36, format.finish('stop')),
      at(36, '[DONE]'),
    ]);
    expect(summary).toMatchObject({
      ttftMs: 15,
      itlMs: [20],
      contentEvents: 2,
      sawFinish: true,
      sawDone: true,
    });
    expect(summary.completionTokens).toBeUndefined();
  });

  it('notices error events, cut streams and garbage', () => {
    const cut = chatStream().slice(0, 3);
    expect(summarizeStream(cut)).toMatchObject({ sawDone: false, sawFinish: false, contentEvents: 2 });
    const errored = [
      ...cut,
      at(90, { error: { message: 'worker lost', type: 'server_error', code: 'stream_cut' } }),
    ];
    expect(summarizeStream(errored).sawError).toBe(true);
    expect(summarizeStream([{ data: 'x', event: 'error', atMs: 1 }]).sawError).toBe(true);
    expect(summarizeStream([at(1, 'not json'), at(2, '42')]).malformed).toBe(2);
  });
});
