import type { V1Pod } from '@kubernetes/client-node';
import type {
  ComponentHandle,
  ComponentInstance,
  ComponentState,
  LogSource,
} from '../../core/platform/platform.js';
import type { Role } from '../../core/platform/roles.js';
import type { NodeCondition } from './kind-node-faults.js';
import { type ClusterWatch, podReady } from './kube/cluster-watch.js';

/** What a pod component needs to know of its node: what the harness did to it, and how to undo that. */
export interface PodNodeConditions {
  condition(node: string): NodeCondition;
  thaw(node: string): Promise<void>;
  restart(node: string): Promise<void>;
}

export interface KindComponentSpec {
  role: Role;
  /** The logical id, the same as on the other platforms (`node-a-gpu0`, `batcher-1`, `etcd-0`). */
  id: string;
  /** The Gauntlet node (`control` for etcd, batchers and gateways: kind's control-plane node). */
  node: string;
  port: number;
  /** Finds the component's pod now (a StatefulSet pod by name, a Deployment pod by its slot). */
  pod(): V1Pod | undefined;
}

/**
 * A stack component that is a pod. Faults go through the API (a pod delete: grace 0 is a crash, the
 * pod's grace period a graceful stop); its controller then creates the replacement, as Kubernetes does,
 * and `restart()` waits for it to be Ready. The state comes from the informer cache and from what this
 * harness did to the node (the API server learns of a killed or frozen node only after its grace
 * period). A single pod cannot be paused through the API: freezing is the node's (node-freeze).
 */
export class KindComponent implements ComponentHandle {
  readonly role: Role;
  readonly id: string;
  readonly node: string;
  readonly logs: LogSource;
  /** The uid of the pod this harness deleted, until its replacement is there. */
  private killedUid: string | undefined;

  constructor(
    private readonly spec: KindComponentSpec,
    private readonly watch: ClusterWatch,
    private readonly nodes: PodNodeConditions,
    private readonly readyTimeoutMs: number,
  ) {
    this.role = spec.role;
    this.id = spec.id;
    this.node = spec.node;
    this.logs = { read: () => this.readLog() };
  }

  private current(): V1Pod | undefined {
    const pod = this.spec.pod();
    if (pod && pod.metadata?.uid === this.killedUid) return undefined;
    return pod;
  }

  get url(): string | undefined {
    const ip = this.current()?.status?.podIP;
    return ip ? `http://${ip}:${this.spec.port}` : undefined;
  }

  get instance(): ComponentInstance | undefined {
    const name = this.current()?.metadata?.name;
    return name ? { kind: 'pod', namespace: this.watch.namespace, pod: name } : undefined;
  }

  async state(): Promise<ComponentState> {
    const node = this.nodes.condition(this.node);
    if (node === 'killed') return 'stopped';
    if (node === 'frozen') return 'frozen';
    const pod = this.current();
    if (!pod || pod.metadata?.deletionTimestamp) return 'stopped';
    return podReady(pod) ? 'running' : 'starting';
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const pod = this.current();
    const name = pod?.metadata?.name;
    if (!pod || !name) return;
    const uid = pod.metadata?.uid;
    this.killedUid = uid;
    await this.watch.api.deleteNamespacedPod({
      name,
      namespace: this.watch.namespace,
      ...(signal === 'SIGKILL' ? { gracePeriodSeconds: 0 } : {}),
    });
    // Stopped once the API server has let go of that pod (its replacement may already be starting).
    const graceMs = ((pod.spec?.terminationGracePeriodSeconds ?? 30) + 30) * 1_000;
    await this.watch.until(`pod ${name} deleted`, graceMs, () =>
      this.spec.pod()?.metadata?.uid === uid ? undefined : true,
    );
  }

  async freeze(): Promise<void> {
    throw new Error(
      `${this.id}: a single pod cannot be paused through the Kubernetes API; node-freeze pauses its node`,
    );
  }

  /** Unpauses the component's node if this harness froze it; a no-op otherwise. */
  async thaw(): Promise<void> {
    await this.nodes.thaw(this.node);
  }

  /**
   * The component back: its node restarted if it was killed, then its pod (the controller's
   * replacement) Ready.
   */
  async restart(): Promise<void> {
    if (this.nodes.condition(this.node) === 'killed') await this.nodes.restart(this.node);
    await this.watch.until(`${this.id} Ready again`, this.readyTimeoutMs, () => {
      const pod = this.spec.pod();
      return pod && pod.metadata?.uid !== this.killedUid && podReady(pod) ? true : undefined;
    });
    this.killedUid = undefined;
  }

  private async readLog(): Promise<string> {
    const name = this.current()?.metadata?.name;
    if (!name) return '';
    return this.watch.api
      .readNamespacedPodLog({ name, namespace: this.watch.namespace })
      .catch((error: Error) => `(no log: ${error.message})`);
  }
}
