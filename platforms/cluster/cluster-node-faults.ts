import type { DrainOutcome, NodeFaults } from '../../core/platform/node-faults.js';
import type { NodeCondition } from '../kind/kind-node-faults.js';
import type { ClusterWatch } from '../kind/kube/cluster-watch.js';
import { drainNode, setCordon } from '../kind/kube/node-drain.js';

/**
 * Node faults on an existing cluster: drain and uncordon through the API. Losing a machine is not
 * something Gauntlet can do there (clusterCapabilities refuses node-kill and node-freeze at plan time);
 * the methods say so if called anyway.
 */
export class ClusterNodeFaults implements NodeFaults {
  /** Nodes this run cordoned and has not uncordoned: the only ones teardown may uncordon. */
  private readonly cordoned = new Set<string>();

  constructor(private readonly watch: ClusterWatch) {}

  condition(_node: string): NodeCondition {
    return 'up';
  }

  kubeNode(node: string): string {
    const found = this.watch.nodeOf(node)?.metadata?.name;
    if (!found) throw new Error(`no node of the cluster is labelled gauntlet.dev/node=${node}`);
    return found;
  }

  async kill(node: string): Promise<void> {
    throw new Error(`${node}: node loss is not possible on an existing cluster; use node-drain`);
  }

  async freeze(node: string): Promise<void> {
    throw new Error(`${node}: node freeze is not possible on an existing cluster; use node-drain`);
  }

  async restart(): Promise<void> {}

  async thaw(): Promise<void> {}

  drain(node: string): Promise<DrainOutcome> {
    this.cordoned.add(node);
    return drainNode(this.watch, this.kubeNode(node));
  }

  async uncordon(node: string): Promise<void> {
    await setCordon(this.watch, this.kubeNode(node), false);
    this.cordoned.delete(node);
  }

  /** Uncordons what this run cordoned and left so (an aborted drain): a node the operator cordoned stays. */
  async undoDrains(): Promise<void> {
    for (const node of [...this.cordoned]) await this.uncordon(node);
  }
}
