import { describe, expect, it } from 'vitest';
import { etcdMajority } from './etcd-quorum.js';

describe('etcdMajority', () => {
  it('is more than half of the members', () => {
    expect([1, 2, 3, 4, 5, 7].map(etcdMajority)).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('refuses a count that is not a member count', () => {
    expect(() => etcdMajority(-1)).toThrow(/non-negative integer, got -1/);
    expect(() => etcdMajority(2.5)).toThrow(RangeError);
  });
});
