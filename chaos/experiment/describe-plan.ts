import { etcdMajority } from '../../core/cluster/etcd-quorum.js';
import { fieldPath } from '../../core/config/config-error.js';
import type { Role } from '../../stack/protocol/registry-keys.js';
import { faultDefinition, faultRegistry } from '../faults/fault-registry.js';
import { targetIssues } from './blast-radius.js';
import {
  DEFAULT_STALLED_AFTER_S,
  type Expectations,
  type Experiment,
  type FaultSpec,
  impliedRole,
} from './experiment-schema.js';
import { candidatesOf, scopeOf, selectTargets } from './resolve-targets.js';
import { describeSlo, formatPercent } from './slo.js';
import type { Topology } from './topology.js';

/**
 * The `--dry-run` plan: what would be injected where and when, what is expected, what always runs after.
 * Pure: it touches no stack. `pick: random` and the etcd leader are shown as what they will be chosen from.
 */
export function describePlan(experiment: Experiment, topology: Topology): string {
  const lines: string[] = [];
  const windowS = experiment.steadyState.windowS;
  lines.push(`Experiment ${experiment.id}: ${experiment.title}`);
  lines.push(...indent(experiment.description.trim().split('\n'), 2));
  lines.push('Expected outcome:');
  lines.push(...indent(experiment.expectedOutcome.trim().split('\n'), 2));
  const slos = experiment.steadyState.slos.map((s) =>
    typeof s === 'string' ? `${s} (from the SLO catalog)` : describeSlo(s),
  );
  // The window just before the first fault; the load before it is warm-up (chaos/run/run-schedule.ts).
  const endS = experiment.faults.length > 0 ? Math.min(...experiment.faults.map((f) => f.at)) : windowS;
  const warmup = endS > windowS ? `, after ${endS - windowS} s of warm-up` : '';
  lines.push(
    `Steady state (checked over t+${endS - windowS}-${endS} s, the ${windowS} s before any fault${warmup}): ${slos.join('; ')}`,
  );
  const mix = experiment.load.endpointMix
    ? ` (mix ${Object.entries(experiment.load.endpointMix)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`
    : '';
  lines.push(
    `Load: scenario ${experiment.load.scenario}, ${experiment.load.rate} req/s for ${experiment.load.durationS} s${mix}`,
  );
  lines.push('Faults (times from the start of the load):');
  for (const fault of [...experiment.faults].sort((a, b) => a.at - b.at)) {
    lines.push(`  t+${fault.at} s  ${fault.id}: ${describeAction(fault)}`);
    lines.push(`      targets: ${describeTargets(fault, topology)}`);
    lines.push(
      `      ${fault.durationS === undefined ? 'rolled back after the load' : `rolled back at t+${fault.at + fault.durationS} s (after ${fault.durationS} s)`}: ${describeRollback(fault)}`,
    );
    const expect = { ...experiment.expectations, ...fault.expect };
    lines.push(`      expect: ${describeExpectations(expect)}`);
  }
  lines.push(
    experiment.abort.length === 0
      ? 'Abort: no abort rule'
      : `Abort (checked every second; stops the load and rolls back): ${experiment.abort
          .map((a) => `error rate > ${formatPercent(a.threshold)} over ${a.forS} s`)
          .join('; ')}`,
  );
  lines.push(
    `Rollbacks (always run, also on abort or error): every fault's own rollback, then ${experiment.rollbacks.length > 0 ? experiment.rollbacks.join(', ') : 'no sweep'}`,
  );
  lines.push(
    `After: SLOs over the last ${windowS} s of load; audit (no frozen process, no toxic left, no component missing, no GPU fault left)`,
  );
  lines.push(`Blast radius: ${describeBlastRadius(experiment, topology)}`);
  const issues = targetIssues(experiment, topology);
  for (const issue of issues) lines.push(`REJECTED ${fieldPath(issue.path)}: ${issue.message}`);
  lines.push(
    issues.length > 0
      ? 'Dry run: the plan is invalid for this topology; nothing was touched.'
      : 'Dry run: nothing was touched.',
  );
  return `${lines.join('\n')}\n`;
}

function describeAction(f: FaultSpec): string {
  return faultDefinition(f.action).describe(f.params);
}

function describeTargets(f: FaultSpec, topology: Topology): string {
  const candidates = candidatesOf(f, topology);
  if (candidates.length === 0) return 'none match';
  const scope = scopeOf(f);
  const pool = (items: string[]) => items.join(', ');
  if (scope === 'etcd-leader')
    return `the etcd leader at injection time, one of ${pool(candidates.map((c) => c.id))}`;
  if (scope === 'etcd-quorum') {
    return `${etcdMajority(candidates.length)} of ${candidates.length} etcd members, the leader first (${pool(candidates.map((c) => c.id))})`;
  }
  if (f.target.pick === 'first') {
    const choice = selectTargets(f, topology);
    if (scope === 'node') {
      return `node ${pool(choice.nodes)}: ${pool(choice.components.map((c) => `${c.id} (${c.role})`))}`;
    }
    return pool(
      choice.components.map((c) => `${c.id} (${c.role}${c.role === 'worker' ? `, node ${c.node}` : ''})`),
    );
  }
  const count = f.target.count === 'all' ? 'all' : String(f.target.count);
  const from =
    scope === 'node'
      ? [...new Set(candidates.map((c) => c.node))].map((n) => `node ${n}`)
      : candidates.map((c) => c.id);
  return `${count} chosen by ${f.target.pick === 'leader' ? 'etcd leader first' : 'seeded random pick'} from ${pool(from)}`;
}

function describeRollback(f: FaultSpec): string {
  return faultRegistry[f.action].rollback;
}

function describeExpectations(e: Expectations): string {
  const parts = [
    e.maxFailedRequests !== undefined && `failed <= ${e.maxFailedRequests}`,
    e.maxStreamsCut !== undefined && `streams cut <= ${e.maxStreamsCut}`,
    e.maxFailedAfterRollback !== undefined && `failed after the rollback <= ${e.maxFailedAfterRollback}`,
    e.maxDetectS !== undefined && `detected within ${e.maxDetectS} s`,
    e.maxRecoveryS !== undefined && `recovered within ${e.maxRecoveryS} s`,
    e.noLostRequests && 'no lost request',
    e.noDuplicates && 'no duplicate',
    e.maxStalledRequests !== undefined &&
      `stalled over ${e.stalledAfterS ?? DEFAULT_STALLED_AFTER_S} s <= ${e.maxStalledRequests}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none (measured only)';
}

function describeBlastRadius(experiment: Experiment, topology: Topology): string {
  const roles: Role[] = ['worker', 'batcher', 'gateway', 'load_balancer', 'etcd'];
  const worst = new Map<Role, Set<string>>();
  for (const f of experiment.faults) {
    const candidates = candidatesOf(f, topology);
    if (candidates.length === 0) continue;
    const scope = scopeOf(f);
    let hit: string[];
    if (scope === 'etcd-leader') hit = [candidates[0]?.id ?? ''];
    else if (scope === 'etcd-quorum')
      hit = candidates.slice(0, etcdMajority(candidates.length)).map((c) => c.id);
    else
      hit = selectTargets(f, topology, {
        leaderId: impliedRole(f) === 'etcd' ? (candidates[0]?.id ?? '') : '',
      }).components.map((c) => c.id);
    for (const id of hit) {
      const role = topology.find((c) => c.id === id)?.role;
      if (!role) continue;
      const set = worst.get(role) ?? new Set<string>();
      set.add(id);
      worst.set(role, set);
    }
  }
  const parts = roles.flatMap((role) => {
    const total = topology.filter((c) => c.role === role).length;
    const n = worst.get(role)?.size ?? 0;
    const name = role === 'etcd' ? 'etcd member' : role;
    return n > 0 ? [`${n} of ${total} ${name}${total === 1 ? '' : 's'}`] : [];
  });
  const all = experiment.allowAllReplicas ? ' (allowAllReplicas: whole roles may go down)' : '';
  return `${parts.length > 0 ? parts.join(', ') : 'nothing'} touched by the faults (random and leader picks may choose others)${all}`;
}

function indent(lines: string[], n: number): string[] {
  return lines.map((l) => `${' '.repeat(n)}${l}`);
}
