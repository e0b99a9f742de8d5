import { describe, expect, it } from 'vitest';
import { parseReplaySchedule, peakInWindow, scheduleSpanS } from './replay-schedule.ts';

const source = { trace: 't.csv', format: 'azure-csv', speedup: 1, traceRequests: 2 };
const text = (requests: unknown) => JSON.stringify({ version: 1, source, requests });

describe('parseReplaySchedule', () => {
  it('reads a schedule the harness wrote', () => {
    const schedule = parseReplaySchedule(
      text([
        [0, 5, 2],
        [12.5, 7, 3, 'infer'],
      ]),
      'S',
    );
    expect(schedule.requests).toEqual([
      [0, 5, 2],
      [12.5, 7, 3, 'infer'],
    ]);
    expect(scheduleSpanS(schedule)).toBe(0.0125);
  });

  it('names the request and field that is wrong, and what is allowed', () => {
    expect(() =>
      parseReplaySchedule(
        text([
          [10, 5, 2],
          [5, 5, 2],
        ]),
        'S',
      ),
    ).toThrow('S: requests[1][0] (offset ms) must be a number >= the previous offset (10), got 5');
    expect(() => parseReplaySchedule(text([[0, 0, 2]]), 'S')).toThrow(
      'S: requests[0][1] (input tokens) must be an integer >= 1, got 0',
    );
    expect(() => parseReplaySchedule(text([[0, 1, 2, 'embed']]), 'S')).toThrow(
      'S: requests[0][3] (endpoint) must be infer | chat | chat_stream | completions, got "embed"',
    );
    expect(() => parseReplaySchedule(text([]), 'S')).toThrow('S: requests must be a non-empty array, got []');
    expect(() => parseReplaySchedule('{', 'S')).toThrow(/^S: not JSON/);
  });
});

describe('peakInWindow', () => {
  it('counts the most requests inside any window of the given length', () => {
    expect(peakInWindow([], 1000)).toBe(0);
    expect(peakInWindow([0, 100, 200, 1500, 1600, 1700, 1800], 1000)).toBe(4);
    // Half-open window: a request exactly windowMs later no longer overlaps the first.
    expect(peakInWindow([0, 1000, 2000], 1000)).toBe(1);
  });
});
