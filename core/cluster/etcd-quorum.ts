/**
 * etcd's Raft rule: a cluster of n members needs a majority, floor(n / 2) + 1, to elect a leader and commit
 * writes. Losing that many members is what an `etcd-quorum` fault means, so every place that picks, counts
 * or describes a quorum loss uses this one rule.
 */
export function etcdMajority(memberCount: number): number {
  if (!Number.isInteger(memberCount) || memberCount < 0) {
    throw new RangeError(`etcd member count must be a non-negative integer, got ${memberCount}`);
  }
  return Math.floor(memberCount / 2) + 1;
}
