import { describe, expect, it } from 'vitest';
import { buildSchedule } from './build-schedule.js';
import type { ParsedTrace, TraceRequest } from './trace-request.js';

const row = (atMs: number, line: number, extra: Partial<TraceRequest> = {}): TraceRequest => ({
  atMs,
  inputTokens: 10 + line,
  outputTokens: 2,
  line,
  ...extra,
});
const trace = (requests: TraceRequest[], skipped: ParsedTrace['skipped'] = []): ParsedTrace => ({
  file: 't.csv',
  format: 'azure-csv',
  requests,
  skipped,
});

describe('buildSchedule', () => {
  it('makes offsets relative to the first row and divides them by the speedup', () => {
    const { schedule, notes } = buildSchedule(trace([row(5000, 1), row(5500.25, 2), row(9000, 3)]), {
      speedup: 2,
    });
    expect(schedule.requests).toEqual([
      [0, 11, 2],
      [250.125, 12, 2],
      [2000, 13, 2],
    ]);
    expect(schedule.source).toEqual({ trace: 't.csv', format: 'azure-csv', speedup: 2, traceRequests: 3 });
    expect(notes).toEqual([]);
  });

  it('sorts rows written out of time order (samples are written as requests end) and says so', () => {
    const { schedule, notes } = buildSchedule(
      trace([row(300, 1), row(100, 2), row(200, 3, { endpoint: 'infer' })]),
      {
        speedup: 1,
      },
    );
    expect(schedule.requests).toEqual([
      [0, 12, 2],
      [100, 13, 2, 'infer'],
      [200, 11, 2],
    ]);
    expect(notes).toEqual(['sorted by time: 1 row(s) came before an earlier one']);
  });

  it('cuts by --max-requests and by --duration (after speedup), and says how much it kept', () => {
    const rows = [row(0, 1), row(1000, 2), row(2000, 3), row(3000, 4)];
    expect(buildSchedule(trace(rows), { speedup: 1, maxRequests: 2 }).schedule.requests).toHaveLength(2);
    const cut = buildSchedule(trace(rows), { speedup: 2, maxDurationS: 1.2 });
    expect(cut.schedule.requests.map((r) => r[0])).toEqual([0, 500, 1000]);
    expect(cut.notes).toEqual(['replaying the first 3 of 4 requests (--max-requests / --duration)']);
  });

  it('passes on what the parser left out, and refuses a trace with nothing to replay', () => {
    const { notes } = buildSchedule(trace([row(0, 1)], [{ reason: 'no counts', lines: [2, 3] }]), {
      speedup: 1,
    });
    expect(notes).toEqual(['left out 2 row(s) (lines 2, 3): no counts']);
    expect(() => buildSchedule(trace([]), { speedup: 1 })).toThrow('trace t.csv: holds no request to replay');
  });
});
