import type { V1Pod } from '@kubernetes/client-node';
import type { DrainOutcome, NodeFaults } from '../../core/platform/node-faults.js';
import { command } from './command.js';
import { type ClusterWatch, nodeReady, podReady } from './kube/cluster-watch.js';
import { drainNode, setCordon } from './kube/node-drain.js';

export type NodeCondition = 'up' | 'frozen' | 'killed';

export interface KindNodeFaultsOptions {
  watch: ClusterWatch;
  /** Puts back a restarted node container's routes (StartedKindCluster.rewire). */
  rewire(nodeName: string): Promise<void>;
  /** How long a restarted node and its pods may take to be Ready again. */
  readyTimeoutMs: number;
}

const DOCKER_TIMEOUT_MS = 60_000;

/**
 * A Gauntlet node on kind is one node container: killing it is `docker kill` (the machine loses power),
 * freezing it `docker pause` (its kubelet, containerd and pods stop together; the API server sees the
 * node go NotReady after its grace period, as for a hung machine), and a drain goes through the API
 * (cordon, then the eviction API, which PodDisruptionBudgets may refuse).
 */
export class KindNodeFaults implements NodeFaults {
  private readonly conditions = new Map<string, NodeCondition>();
  private readonly restarts = new Map<string, Promise<void>>();

  constructor(private readonly options: KindNodeFaultsOptions) {}

  /** What this harness did to the node last (the API server learns it only after its grace period). */
  condition(node: string): NodeCondition {
    return this.conditions.get(node) ?? 'up';
  }

  /** The kube node (and node container) name of a Gauntlet node. */
  kubeNode(node: string): string {
    const found = this.options.watch.nodeOf(node)?.metadata?.name;
    if (!found) throw new Error(`no kind node is labelled gauntlet.dev/node=${node}`);
    return found;
  }

  async kill(node: string): Promise<void> {
    await command('docker', ['kill', this.kubeNode(node)], { timeoutMs: DOCKER_TIMEOUT_MS });
    this.conditions.set(node, 'killed');
  }

  /** Starts the node container again, once even when several components ask together. */
  restart(node: string): Promise<void> {
    if (this.condition(node) !== 'killed') return Promise.resolve();
    const running = this.restarts.get(node);
    if (running) return running;
    const started = this.startNode(node).finally(() => this.restarts.delete(node));
    this.restarts.set(node, started);
    return started;
  }

  private async startNode(node: string): Promise<void> {
    const name = this.kubeNode(node);
    const since = Date.now();
    await command('docker', ['start', name], { timeoutMs: DOCKER_TIMEOUT_MS });
    await this.options.rewire(name);
    this.conditions.set(node, 'up');
    const { watch, readyTimeoutMs } = this.options;
    // Fresh evidence only: the API server may still hold the Ready it saw before the kill.
    await watch.until(`node ${name} Ready again`, readyTimeoutMs, () => {
      const n = watch.nodes().find((x) => x.metadata?.name === name);
      const ready = n?.status?.conditions?.find((c) => c.type === 'Ready');
      const beat = ready?.lastHeartbeatTime ? new Date(ready.lastHeartbeatTime).getTime() : 0;
      return nodeReady(n) && beat >= since - 1_000 ? true : undefined;
    });
    await watch.until(`the pods on ${name} Ready again`, readyTimeoutMs, () =>
      watch
        .pods()
        .filter((p) => p.spec?.nodeName === name)
        .every((p) => podReady(p) && startedSince(p, since))
        ? true
        : undefined,
    );
  }

  async freeze(node: string): Promise<void> {
    await command('docker', ['pause', this.kubeNode(node)], { timeoutMs: DOCKER_TIMEOUT_MS });
    this.conditions.set(node, 'frozen');
  }

  async thaw(node: string): Promise<void> {
    if (this.condition(node) !== 'frozen') return;
    await command('docker', ['unpause', this.kubeNode(node)], { timeoutMs: DOCKER_TIMEOUT_MS });
    this.conditions.set(node, 'up');
  }

  async drain(node: string): Promise<DrainOutcome> {
    return drainNode(this.options.watch, this.kubeNode(node));
  }

  async uncordon(node: string): Promise<void> {
    await setCordon(this.options.watch, this.kubeNode(node), false);
  }
}

/** Every container of the pod (re)started at or after `since` (Unix ms). */
function startedSince(pod: V1Pod, since: number): boolean {
  return (pod.status?.containerStatuses ?? []).every((c) => {
    const at = c.state?.running?.startedAt;
    return at !== undefined && new Date(at).getTime() >= since - 1_000;
  });
}
