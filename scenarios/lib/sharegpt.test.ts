import { describe, expect, it } from 'vitest';
import { parseShareGpt } from './sharegpt.ts';

describe('parseShareGpt', () => {
  it('takes the first human turn of each JSONL conversation and counts what it skips', () => {
    const text = [
      JSON.stringify({
        conversations: [
          { from: 'human', value: 'hello?' },
          { from: 'gpt', value: 'hi' },
        ],
      }),
      '',
      'not json',
      JSON.stringify({ conversations: [{ from: 'gpt', value: 'only an answer' }] }),
      JSON.stringify({
        id: 'x',
        conversations: [
          { from: 'system', value: 's' },
          { from: 'user', value: 'second' },
        ],
      }),
    ].join('\n');
    expect(parseShareGpt(text)).toEqual({ prompts: ['hello?', 'second'], skipped: 2 });
  });

  it('reads a whole-file JSON array too', () => {
    const text = JSON.stringify([{ conversations: [{ from: 'human', value: 'a' }] }, { nope: 1 }]);
    expect(parseShareGpt(text)).toEqual({ prompts: ['a'], skipped: 1 });
  });

  it('fails with the expected shape when nothing is usable', () => {
    expect(() => parseShareGpt('{"a":1}\n', 'PROMPTS=/x.jsonl')).toThrow(
      /PROMPTS=\/x.jsonl: no usable conversation .*conversations.*1 skipped/,
    );
  });
});
