import type { Role } from '../../core/platform/roles.js';

export type { Role };

/**
 * Cluster state in etcd. Workers and batchers register under leases (TTL = etcd.lease_ttl_s, 3 s by default,
 * the seed's heartbeat) and keep them alive; a dead process disappears when its lease expires.
 */

export const registryPrefix = (cluster: string) => `/gauntlet/${cluster}/`;
export const workersPrefix = (cluster: string) => `/gauntlet/${cluster}/workers/`;
export const batchersPrefix = (cluster: string) => `/gauntlet/${cluster}/batchers/`;
export const workerKey = (cluster: string, id: string) => `${workersPrefix(cluster)}${id}`;
export const batcherKey = (cluster: string, id: string) => `${batchersPrefix(cluster)}${id}`;
export const clusterConfigKey = (cluster: string) => `/gauntlet/${cluster}/config`;

export interface WorkerRecord {
  id: string;
  node: string;
  gpuIndex: number;
  /** Where batchers send batches; the address a proxy listens on when the platform puts one in between. */
  url: string;
  maxRunningSeqs: number;
  state: 'ready' | 'draining';
  startedAt: number;
}

export interface BatcherRecord {
  id: string;
  url: string;
  state: 'ready' | 'draining';
  startedAt: number;
}
