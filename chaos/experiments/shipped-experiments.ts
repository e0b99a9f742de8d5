import type { ClusterConfigInput } from '../../core/config/cluster-config.js';
import type { Experiment } from '../experiment/experiment-schema.js';
import { needsLinks } from '../faults/fault-registry.js';
import { batcherKill } from './batcher-kill.js';
import { etcdLeaderKill } from './etcd-leader-kill.js';
import { etcdQuorumLoss } from './etcd-quorum-loss.js';
import { gatewayKill, gatewayKillCluster } from './gateway-kill.js';
import { gpuOom } from './gpu-oom.js';
import { gpuSlowdown } from './gpu-slowdown.js';
import { networkDelay } from './network-delay.js';
import { workerHttpFault } from './worker-http-fault.js';
import { workerKill } from './worker-kill.js';
import { workerNodeFreeze } from './worker-node-freeze.js';
import { workerNodeKill } from './worker-node-kill.js';
import { workerPartition } from './worker-partition.js';

/** The experiments Gauntlet ships, documented in chaos/experiments/README.md. */
export const shippedExperiments: readonly Experiment[] = [
  workerKill,
  workerNodeKill,
  workerNodeFreeze,
  batcherKill,
  etcdLeaderKill,
  etcdQuorumLoss,
  networkDelay,
  workerPartition,
  gpuSlowdown,
  gpuOom,
  gatewayKill,
  workerHttpFault,
];

/** The cluster config a shipped experiment needs beyond the reference stack (empty: the reference stack). */
export function shippedExperimentCluster(id: string): ClusterConfigInput {
  return id === gatewayKill.id ? gatewayKillCluster : {};
}

/** Experiments that need a stack started with network proxies (UpOptions.networkProxies). */
export function needsNetworkProxies(experiment: Experiment): boolean {
  return experiment.faults.some(needsLinks);
}

export function shippedExperiment(id: string): Experiment {
  const found = shippedExperiments.find((e) => e.id === id);
  if (!found)
    throw new Error(
      `no shipped experiment "${id}"; shipped: ${shippedExperiments.map((e) => e.id).join(', ')}`,
    );
  return found;
}
