import { describe, expect, it } from 'vitest';
import { parseMooncakeTrace } from './parse-mooncake-trace.js';

describe('parseMooncakeTrace', () => {
  it('reads timestamp, input_length and output_length, ignoring other keys and blank lines', () => {
    const text =
      '{"timestamp": 0, "input_length": 6955, "output_length": 52, "hash_ids": [0, 1, 2]}\n\n' +
      '{"timestamp": 27482, "input_length": 6472, "output_length": 26}\n';
    const trace = parseMooncakeTrace(text, 'mooncake.jsonl');
    expect(trace.format).toBe('mooncake-jsonl');
    expect(trace.requests).toEqual([
      { atMs: 0, inputTokens: 6955, outputTokens: 52, line: 1 },
      { atMs: 27482, inputTokens: 6472, outputTokens: 26, line: 3 },
    ]);
  });

  it('names the file, line, field and what is allowed', () => {
    expect(() => parseMooncakeTrace('{"timestamp": 1, "input_length": 5}\n', 'm.jsonl')).toThrow(
      "trace m.jsonl:1: output_length: 'nothing' is not an integer >= 1",
    );
    expect(() =>
      parseMooncakeTrace('{"timestamp": "soon", "input_length": 5, "output_length": 2}', 'm.jsonl'),
    ).toThrow("trace m.jsonl:1: timestamp: 'soon' is not a number of ms >= 0");
    expect(() => parseMooncakeTrace('\n{"timestamp": 1,\n', 'm.jsonl')).toThrow(
      /^trace m\.jsonl:2: not JSON/,
    );
    expect(() => parseMooncakeTrace('[1, 2, 3]\n', 'm.jsonl')).toThrow(
      "trace m.jsonl:1: must be a JSON object, got '[1, 2, 3]'",
    );
    expect(() =>
      parseMooncakeTrace('{"timestamp": 1, "input_length": 0, "output_length": 2}', 'm.jsonl'),
    ).toThrow("trace m.jsonl:1: input_length: '0' is not an integer >= 1");
  });
});
