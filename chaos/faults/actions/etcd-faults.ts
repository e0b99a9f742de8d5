import { defineFault } from '../fault-definition.js';
import { killCapabilities, signalParams } from './process-faults.js';

export const offRequestPath = 'etcd is not on the request path; routing is not expected to change';

/** etcd members are killed like any component; the scope decides which (one, the leader, a majority). */
const etcdKill = (action: string, scope: 'component' | 'etcd-leader' | 'etcd-quorum') =>
  defineFault({
    params: signalParams,
    scope,
    impliedRole: () => 'etcd',
    link: () => undefined,
    requires: (p) => killCapabilities(p.signal),
    describe: (p) => `${action} (${p.signal})`,
    rollback: 'restart what is down',
    detection:
      scope === 'etcd-leader'
        ? { kind: 'leader', why: offRequestPath }
        : { kind: 'none', why: offRequestPath },
    inject: (faults, p, t) => faults.kill(t.componentIds, p.signal, t.label),
  });

export const etcdKillMember = etcdKill('etcd-kill-member', 'component');
export const etcdKillLeader = etcdKill('etcd-kill-leader', 'etcd-leader');
export const etcdQuorumLoss = etcdKill('etcd-quorum-loss', 'etcd-quorum');
