import { expect, it } from 'vitest';
import { findKnee, type ProbeStep } from './knee.js';

const step = (connections: number, throughputRps: number, p99Ms: number, errors = 0): ProbeStep => ({
  connections,
  throughputRps,
  p50Ms: p99Ms / 2,
  p99Ms,
  errors,
});

it('stops at the step after which throughput stops growing', () => {
  const knee = findKnee([
    step(1, 10, 100),
    step(2, 20, 105),
    step(4, 39, 110),
    step(8, 41, 200),
    step(16, 42, 400),
  ]);
  expect(knee?.connections).toBe(4);
});

it('stops when p99 more than doubles or errors appear', () => {
  expect(findKnee([step(1, 10, 100), step(2, 19, 250)])?.connections).toBe(1);
  expect(findKnee([step(1, 10, 100), step(2, 19, 120, 3)])?.connections).toBe(1);
});
