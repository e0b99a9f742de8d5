import { etcdMajority } from '../../core/cluster/etcd-quorum.js';
import type { Role } from '../../stack/protocol/registry-keys.js';
import type { TargetScope } from '../faults/fault-definition.js';
import { faultRegistry } from '../faults/fault-registry.js';
import { type FaultSpec, impliedRole } from './experiment-schema.js';
import type { Topology, TopologyComponent } from './topology.js';

export type { TargetScope };

export function scopeOf(fault: FaultSpec): TargetScope {
  return faultRegistry[fault.action].scope;
}

/** The components a fault's target filter matches, in topology order (before count and pick). */
export function candidatesOf(fault: FaultSpec, topology: Topology): TopologyComponent[] {
  const role: Role | undefined = impliedRole(fault) ?? fault.target.role;
  return topology.filter(
    (c) =>
      (role === undefined || c.role === role) &&
      (fault.target.node === undefined || c.node === fault.target.node) &&
      (fault.target.id === undefined || c.id === fault.target.id),
  );
}

export interface SelectOptions {
  /** The etcd raft leader's component id, for `pick: leader` and the etcd leader/quorum actions. */
  leaderId?: string;
  /** For `pick: random`; returns [0, 1). */
  random?: () => number;
}

export interface TargetChoice {
  /** Every component the fault acts on (node actions: everything on the chosen nodes). */
  components: TopologyComponent[];
  /** Node actions only. */
  nodes: string[];
}

/** Applies count and pick to the candidates. Throws when the target matches nothing. */
export function selectTargets(
  fault: FaultSpec,
  topology: Topology,
  options: SelectOptions = {},
): TargetChoice {
  const candidates = candidatesOf(fault, topology);
  if (candidates.length === 0) throw new Error(noMatchMessage(fault, topology));
  const scope = scopeOf(fault);
  if (scope === 'etcd-leader') {
    const leader = candidates.find((c) => c.id === options.leaderId);
    if (!leader)
      throw new Error(
        `${fault.id}: no etcd leader among ${ids(candidates)} (leader: ${options.leaderId ?? 'unknown'})`,
      );
    return { components: [leader], nodes: [] };
  }
  if (scope === 'etcd-quorum') {
    const majority = etcdMajority(candidates.length);
    return { components: ordered(candidates, 'leader', options).slice(0, majority), nodes: [] };
  }
  if (scope === 'node') {
    const nodes = [...new Set(candidates.map((c) => c.node))];
    const chosen = ordered(
      nodes.map((node) => ({ id: node, node })),
      fault.target.pick,
      options,
    )
      .slice(0, countOf(fault, nodes.length))
      .map((n) => n.node);
    return { components: topology.filter((c) => chosen.includes(c.node)), nodes: chosen };
  }
  return {
    components: ordered(candidates, fault.target.pick, options).slice(0, countOf(fault, candidates.length)),
    nodes: [],
  };
}

function countOf(fault: FaultSpec, available: number): number {
  return fault.target.count === 'all' ? available : Math.min(fault.target.count, available);
}

function ordered<T extends { id: string }>(
  items: T[],
  pick: FaultSpec['target']['pick'],
  options: SelectOptions,
): T[] {
  if (pick === 'leader') {
    const leader = items.filter((i) => i.id === options.leaderId);
    return [...leader, ...items.filter((i) => i.id !== options.leaderId)];
  }
  if (pick === 'random') {
    const random = options.random ?? Math.random;
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }
  return items;
}

function ids(components: readonly { id: string }[]): string {
  return components.map((c) => c.id).join(', ');
}

export function noMatchMessage(fault: FaultSpec, topology: Topology): string {
  const role = impliedRole(fault) ?? fault.target.role;
  const filter = [
    role && `role ${role}`,
    fault.target.node && `node ${fault.target.node}`,
    fault.target.id && `id ${fault.target.id}`,
  ]
    .filter(Boolean)
    .join(', ');
  const pool = role ? topology.filter((c) => c.role === role) : topology;
  return `target (${filter || 'anything'}) matches no component; ${role ? `${role}s` : 'components'}: ${ids(pool) || 'none'}`;
}
