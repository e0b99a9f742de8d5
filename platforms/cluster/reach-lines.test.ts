import { describe, expect, it } from 'vitest';
import { reachLines } from './reach-lines.js';

const where = { context: 'prod-eu-1', namespace: 'team-chaos' };
const kubeNodes = [
  { name: 'cp-1', gauntletNode: 'control' },
  { name: 'gpu-7', gauntletNode: 'node-a' },
];

describe('reachLines (chaos --dry-run on --platform cluster)', () => {
  it('names what a deploy creates, the pods by the names they will get, and the nodes a drain may take', () => {
    const lines = reachLines({
      where,
      kubeNodes,
      created: [
        { kind: 'StatefulSet', name: 'etcd' },
        { kind: 'Deployment', name: 'gateway' },
      ],
      reach: {
        components: [
          { role: 'worker', id: 'node-a-gpu0', node: 'node-a' },
          { role: 'worker', id: 'node-b-gpu1', node: 'node-b' },
          { role: 'gateway', id: 'gateway-0', node: 'control' },
        ],
        nodes: ['node-a'],
      },
    });
    expect(lines).toEqual([
      'Would create in prod-eu-1/team-chaos, labelled gauntlet.dev/run=<run id> and deleted at teardown (2 objects):',
      '  StatefulSet/etcd, Deployment/gateway',
      'Faults may act on these pods (once created; placed on nodes by their gauntlet.dev/node label):',
      '  node-a -> gpu-7: worker-node-a-0 (node-a-gpu0)',
      '  node-b -> none labelled gauntlet.dev/node=node-b yet (label the node first): worker-node-b-1 (node-b-gpu1)',
      '  control -> cp-1: a pod of Deployment/gateway (gateway-0)',
      'Node faults may cordon and drain: node-a -> gpu-7',
    ]);
  });

  it('names an attached stack’s pods as found, and creates nothing', () => {
    const lines = reachLines({
      where,
      kubeNodes,
      reach: { components: [{ role: 'worker', id: 'node-a-gpu0', node: 'node-a' }], nodes: [] },
      attached: [
        {
          role: 'worker',
          selector: 'app=vllm',
          pods: [{ name: 'vllm-0', node: 'gpu-7' }, { name: 'vllm-1' }],
        },
        { role: 'batcher', selector: 'gauntlet.dev/role=batcher', pods: [] },
      ],
    });
    expect(lines).toEqual([
      'Would create nothing in prod-eu-1/team-chaos (--attach)',
      'Faults may act on these pods (found now by their role selector):',
      '  worker (app=vllm): vllm-0 on gpu-7, vllm-1',
      '  batcher (gauntlet.dev/role=batcher): none found',
    ]);
  });
});
