import type { z } from 'zod';
import type { Capability } from '../../core/platform/capabilities.js';
import { etcdKillLeader, etcdKillMember, etcdQuorumLoss } from './actions/etcd-faults.js';
import { gpuCrash, gpuErrorRate, gpuHang, gpuOom, gpuSlowdown } from './actions/gpu-faults.js';
import { httpFault } from './actions/http-faults.js';
import {
  networkBandwidth,
  networkLatency,
  networkPartition,
  networkResetPeer,
} from './actions/network-faults.js';
import { freeze, kill, nodeDrain, nodeFreeze, nodeKill } from './actions/process-faults.js';
import type { FaultAction } from './fault-action.js';
import type { FaultDefinition } from './fault-definition.js';

/**
 * Every fault action's definition, keyed by its name. `satisfies` keeps each entry's precise params type
 * (the experiment schema is built from them) and rejects a missing or unknown action at compile time.
 */
export const faultRegistry = {
  kill,
  'node-kill': nodeKill,
  freeze,
  'node-freeze': nodeFreeze,
  'node-drain': nodeDrain,
  'etcd-kill-member': etcdKillMember,
  'etcd-kill-leader': etcdKillLeader,
  'etcd-quorum-loss': etcdQuorumLoss,
  'gpu-slowdown': gpuSlowdown,
  'gpu-error-rate': gpuErrorRate,
  'gpu-hang': gpuHang,
  'gpu-crash': gpuCrash,
  'gpu-oom': gpuOom,
  'network-latency': networkLatency,
  'network-partition': networkPartition,
  'network-bandwidth': networkBandwidth,
  'network-reset-peer': networkResetPeer,
  'http-fault': httpFault,
} satisfies Record<FaultAction, FaultDefinition>;

export type FaultParamsSchema<A extends FaultAction> = (typeof faultRegistry)[A]['params'];

/** A fault as the registry sees it: an action and params its own schema produced. */
export interface RegisteredFault {
  action: FaultAction;
  params: unknown;
}

/** The action's definition, widened so it can be called with params of a parsed fault of that action. */
export function faultDefinition(action: FaultAction): FaultDefinition<z.ZodType> {
  return faultRegistry[action];
}

export function impliedRoleOf(fault: RegisteredFault) {
  return faultDefinition(fault.action).impliedRole(fault.params);
}

export function linkOf(fault: RegisteredFault) {
  return faultDefinition(fault.action).link(fault.params);
}

export function requiredCapabilities(fault: RegisteredFault): readonly Capability[] {
  return faultDefinition(fault.action).requires(fault.params);
}

/** Network faults need the platform's link fault proxies (UpOptions.networkProxies). */
export function needsLinks(fault: RegisteredFault): boolean {
  return requiredCapabilities(fault).includes('link-faults');
}
