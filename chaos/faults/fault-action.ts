/**
 * Every fault action an experiment may name. The registry (fault-registry.ts) is a total record over this
 * list, so an action added here without its definition does not compile.
 */
export const faultActions = [
  'kill',
  'node-kill',
  'freeze',
  'node-freeze',
  'node-drain',
  'etcd-kill-member',
  'etcd-kill-leader',
  'etcd-quorum-loss',
  'gpu-slowdown',
  'gpu-error-rate',
  'gpu-hang',
  'gpu-crash',
  'gpu-oom',
  'network-latency',
  'network-partition',
  'network-bandwidth',
  'network-reset-peer',
  'http-fault',
] as const;

export type FaultAction = (typeof faultActions)[number];
