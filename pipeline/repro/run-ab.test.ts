import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { MIN_SEGMENT_S, segmentDurationS } from './run-ab.js';

describe('segmentDurationS', () => {
  it('gives each interleaved run its share of the main phase', () => {
    expect(segmentDurationS(60, 1)).toBe(60);
    expect(segmentDurationS(60, 4)).toBe(15);
  });

  it('refuses a share shorter than the minimum, and a count that is not a whole number >= 1', () => {
    expect(() => segmentDurationS(10, 6)).toThrow(UserFacingError);
    expect(() => segmentDurationS(10, 6)).toThrow(
      `--interleave 6: each run would get 1.67 s of a 10 s main phase; at least ${MIN_SEGMENT_S} s is needed`,
    );
    expect(() => segmentDurationS(10, 0)).toThrow(/--interleave: must be a whole number >= 1 \(got 0\)/);
    expect(() => segmentDurationS(10, 1.5)).toThrow(/whole number/);
  });
});
