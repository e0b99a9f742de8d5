import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../core/random/prng.js';
import {
  addCluster,
  addClusterSums,
  type ClusterSums,
  designEffect,
  emptyClusterSums,
} from './cluster-sums.js';

function sumsOf(clusters: number[][]): ClusterSums {
  const s = emptyClusterSums();
  for (const c of clusters)
    addCluster(
      s,
      c.length,
      c.reduce((a, b) => a + b, 0),
      c.reduce((a, b) => a + b * b, 0),
    );
  return s;
}

describe('designEffect', () => {
  it('is about 1 for independent values', () => {
    const random = mulberry32(7);
    const clusters = Array.from({ length: 400 }, () => Array.from({ length: 16 }, () => 10 + random()));
    const d = designEffect(sumsOf(clusters));
    expect(d.icc).toBeLessThan(0.02);
    expect(d.effect).toBeLessThan(1.3);
    expect(d.effectiveN).toBeGreaterThan(400 * 16 * 0.75);
  });

  it('counts a stream of identical gaps as about one value', () => {
    const random = mulberry32(3);
    // Each stream has its own pace (a slow or fast worker), its gaps vary little around it.
    const clusters = Array.from({ length: 300 }, () => {
      const pace = 5 + 20 * random();
      return Array.from({ length: 16 }, () => pace + 0.01 * random());
    });
    const d = designEffect(sumsOf(clusters));
    expect(d.icc).toBeGreaterThan(0.99);
    expect(d.effect).toBeGreaterThan(15);
    expect(d.effectiveN).toBeCloseTo(300, -1);
  });

  it('merges by adding, and is conservative with one cluster', () => {
    const a = sumsOf([[1, 2, 3]]);
    const b = sumsOf([[4, 5]]);
    const merged = emptyClusterSums();
    addClusterSums(merged, a);
    addClusterSums(merged, b);
    expect(merged).toEqual(
      sumsOf([
        [1, 2, 3],
        [4, 5],
      ]),
    );
    expect(designEffect(a)).toMatchObject({ icc: 1, effectiveN: 1 });
    expect(designEffect(emptyClusterSums()).effectiveN).toBe(0);
  });
});
