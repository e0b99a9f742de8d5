import type { StackHandle } from '../../core/platform/platform.js';
import type { FaultSpec } from '../experiment/experiment-schema.js';
import { scopeOf, selectTargets } from '../experiment/resolve-targets.js';
import { topologyOfStack } from '../experiment/topology.js';
import type { Rollback } from './rollback.js';
import type { StackFaults } from './stack-faults.js';

export interface InjectedFault {
  spec: FaultSpec;
  targets: string[];
  rollback: Rollback;
}

/**
 * Performs one fault of an experiment: selects its targets on the running stack (count, pick, the current
 * etcd leader) and calls the fault API. The journal entry carries the fault's id.
 */
export async function injectFault(
  spec: FaultSpec,
  faults: StackFaults,
  stack: StackHandle,
  random: () => number,
): Promise<InjectedFault> {
  const label = { faultId: spec.id, action: spec.action };
  const scope = scopeOf(spec);
  const needsLeader = spec.target.pick === 'leader' || scope === 'etcd-leader' || scope === 'etcd-quorum';
  const leaderId = needsLeader ? await faults.etcdLeader() : undefined;
  const choice = selectTargets(spec, topologyOfStack(stack), { random, ...(leaderId ? { leaderId } : {}) });
  const ids = choice.components.map((c) => c.id);
  const done = (rollback: Rollback): InjectedFault => ({ spec, targets: ids, rollback });
  switch (spec.action) {
    case 'kill':
    case 'etcd-kill-member':
    case 'etcd-kill-leader':
    case 'etcd-quorum-loss':
      return done(await faults.kill(ids, spec.params.signal, label));
    case 'node-kill':
      return done(await faults.killNode(choice.nodes, spec.params.signal, label));
    case 'freeze':
      return done(await faults.freeze(ids, label));
    case 'node-freeze':
      return done(await faults.freezeNode(choice.nodes, label));
    case 'gpu-slowdown':
      return done(await faults.gpu(ids, { slowdown: spec.params.factor }, label));
    case 'gpu-error-rate':
      return done(await faults.gpu(ids, { errorRate: spec.params.rate }, label));
    case 'gpu-hang':
      return done(await faults.gpu(ids, { hang: true }, label));
    case 'gpu-crash':
      return done(await faults.gpu(ids, { crash: true }, label));
    case 'gpu-oom':
      return done(await faults.gpu(ids, { oom: true }, label));
    case 'network-latency':
      return done(
        await faults.link(
          spec.params.link,
          ids,
          {
            kind: 'latency',
            latencyMs: spec.params.latencyMs,
            jitterMs: spec.params.jitterMs,
            direction: spec.params.direction,
          },
          label,
        ),
      );
    case 'network-partition':
      return done(
        await faults.link(
          spec.params.link,
          ids,
          spec.params.mode === 'refuse' ? { kind: 'refuse' } : { kind: 'blackhole', direction: 'both' },
          label,
        ),
      );
    case 'network-bandwidth':
      return done(
        await faults.link(
          spec.params.link,
          ids,
          { kind: 'bandwidth', rateKBps: spec.params.rateKBps, direction: spec.params.direction },
          label,
        ),
      );
    case 'network-reset-peer':
      return done(
        await faults.link(
          spec.params.link,
          ids,
          { kind: 'reset_peer', timeoutMs: spec.params.timeoutMs },
          label,
        ),
      );
  }
}
