import { describe, expect, it } from 'vitest';
import { submitRequestSchema } from './batcher-api.js';
import { parseWireMessage } from './parse-wire-message.js';
import { batchRequestSchema } from './worker-api.js';

const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const submit = { id: 'r1', promptTokens: 12, maxTokens: 8, seed: 7, stream: true };

describe('wire schemas of both hops', () => {
  it('a submit the batcher admits is a batch item every worker accepts', () => {
    const admitted = parseWireMessage(submitRequestSchema, body(submit));
    expect(admitted).toMatchObject({ ok: true });
    if (!admitted.ok) return;
    const { stream: _stream, ...item } = admitted.value;
    expect(parseWireMessage(batchRequestSchema, body({ batchId: 'b1', items: [item] }))).toEqual({
      ok: true,
      value: { batchId: 'b1', items: [item] },
    });
  });

  it('refuses a prompt of 0 tokens on both hops (the drift that let the batcher admit what workers refuse)', () => {
    const empty = parseWireMessage(submitRequestSchema, body({ ...submit, promptTokens: 0 }));
    expect(empty).toMatchObject({ ok: false, message: expect.stringMatching(/^promptTokens: /) });
    const batch = { batchId: 'b1', items: [{ id: 'r1', promptTokens: 0, maxTokens: 8, seed: 7 }] };
    expect(parseWireMessage(batchRequestSchema, body(batch))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^items\.0\.promptTokens: /),
    });
  });

  it('refuses resuming at or past maxTokens on both hops', () => {
    expect(parseWireMessage(submitRequestSchema, body({ ...submit, resumeFrom: 8 }))).toMatchObject({
      ok: false,
      message: 'resumeFrom: resumeFrom must be below maxTokens',
    });
    const batch = {
      batchId: 'b1',
      items: [{ id: 'r1', promptTokens: 3, maxTokens: 8, seed: 7, resumeFrom: 9 }],
    };
    expect(parseWireMessage(batchRequestSchema, body(batch))).toMatchObject({ ok: false });
  });

  it('names a body that is not JSON', () => {
    expect(parseWireMessage(submitRequestSchema, Buffer.from('{'))).toEqual({
      ok: false,
      message: 'body is not valid JSON',
    });
  });
});
