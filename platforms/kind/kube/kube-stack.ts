import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterConfig } from '../../../core/config/cluster-config.js';
import type { LinkFaults } from '../../../core/network/link-faults.js';
import { ComponentList } from '../../../core/platform/component-list.js';
import type {
  ComponentHandle,
  ComponentSelector,
  KubeAccess,
  NodeFaults,
  PlatformEvent,
  StackDescription,
  StackHandle,
} from '../../../core/platform/platform.js';
import { identityOf } from '../../../core/process/process-identity.js';
import { removeStackState, type StackState, saveStackState } from '../../state/stack-state.js';
import type { KindComponent } from '../kind-component.js';
import type { ClusterWatch } from './cluster-watch.js';

/** How long teardown gives the pods' logs to be copied into the run folder. */
const LOG_SAVE_TIMEOUT_MS = 15_000;

export interface KubeStackSetup {
  platform: 'kind' | 'cluster';
  runId: string;
  config: ClusterConfig;
  runDir: string;
  apiKey: string;
  adminToken: string;
  detached: boolean;
  /** Where the stack lives on an existing cluster, for `gauntlet down` after a crash (cluster platform). */
  kube?: StackState['kube'];
}

/**
 * A stack whose components are pods in one namespace: on a kind cluster of its own (the gateway through
 * a NodePort published on 127.0.0.1, the host routing to every pod IP), or on an existing cluster (every
 * address through a port-forward, `reachVia`). `down()` copies the pods' logs into the run folder, then
 * runs the teardown steps the platform registered (delete the cluster, or the objects it applied).
 */
export class KubeStack implements StackHandle {
  readonly links: LinkFaults | undefined = undefined;
  gatewayUrl = '';
  private readonly all: KindComponent[] = [];
  private readonly teardown: Array<() => Promise<void>> = [];
  private stopped = false;
  readonly platform: 'kind' | 'cluster';
  readonly runId: string;
  readonly config: ClusterConfig;
  readonly runDir: string;
  readonly apiKey: string;
  readonly adminToken: string;

  constructor(private readonly setup: KubeStackSetup) {
    this.platform = setup.platform;
    this.runId = setup.runId;
    this.config = setup.config;
    this.runDir = setup.runDir;
    this.apiKey = setup.apiKey;
    this.adminToken = setup.adminToken;
  }

  /** Node faults, with the kube node name of a Gauntlet node (`gauntlet.dev/node` label). */
  nodeFaults: (NodeFaults & { kubeNode(node: string): string }) | undefined;
  watch: ClusterWatch | undefined;
  /** The operator's kill switch, where the platform has one (the cluster platform). */
  killSwitchCheck: (() => string | undefined) | undefined;

  killSwitch(): string | undefined {
    return this.killSwitchCheck?.();
  }

  /** The cluster's API for in-pod faults (xk6-disruptor); set by the platform once the stack is up. */
  kubeAccess: KubeAccess | undefined;

  /** How the harness reaches a pod URL; unset where the host routes to the pod network (kind). */
  reachVia: ((url: string) => Promise<string>) | undefined;

  /** Recorded before the cluster exists, so `gauntlet down` finds a cluster whose harness died. */
  saveState(): void {
    if (this.stopped) return;
    saveStackState({
      runId: this.runId,
      platform: this.platform,
      detached: this.setup.detached,
      ...(this.setup.kube ? { kube: this.setup.kube } : {}),
      owner: identityOf(process.pid),
      createdAt: new Date().toISOString(),
      runDir: this.runDir,
      ...(this.gatewayUrl ? { gateway: this.gatewayUrl } : {}),
      apiKey: this.apiKey,
      components: [],
      helpers: [],
    });
  }

  /** Run at `down()`, last added first (the cluster is deleted after the watch stops). */
  onDown(step: () => Promise<void>): void {
    this.teardown.unshift(step);
  }

  add(components: KindComponent[]): void {
    this.all.push(...components);
  }

  get etcdEndpoints(): string[] {
    return this.all.filter((c) => c.role === 'etcd').flatMap((c) => (c.url ? [c.url] : []));
  }

  private get list(): ComponentList<KindComponent> {
    return new ComponentList(this.all);
  }

  components(selector?: ComponentSelector): ComponentHandle[] {
    return this.list.select(selector);
  }

  component(id: string): ComponentHandle {
    return this.list.byId(id);
  }

  nodes(): string[] {
    return this.list.nodes();
  }

  describe(): StackDescription {
    return {
      runId: this.runId,
      platform: this.platform,
      gateway: this.gatewayUrl,
      apiKey: this.apiKey,
      runDir: this.runDir,
      components: this.list.infos(),
    };
  }

  platformEvents(fromMs: number, toMs: number): PlatformEvent[] {
    return (this.watch?.events ?? []).filter((e) => e.t >= fromMs && e.t <= toMs);
  }

  /** On kind the host routes to the pod network: every pod is reached at its own address. */
  async reach(url: string): Promise<string> {
    return this.reachVia ? this.reachVia(url) : url;
  }

  async down(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.saveLogs();
    const problems: string[] = [];
    for (const step of this.teardown) await step().catch((error: Error) => problems.push(error.message));
    removeStackState(this.runId);
    if (problems.length > 0)
      throw new Error(`tearing down ${this.platform} stack ${this.runId}: ${problems.join('; ')}`);
  }

  /** Nothing is lost: each pod's log goes to `logs/<id>.log` before the cluster is deleted. */
  private async saveLogs(): Promise<void> {
    const save = Promise.allSettled(
      this.all.map(async (c) => writeFile(join(this.runDir, 'logs', `${c.id}.log`), await c.logs.read())),
    );
    await Promise.race([save, new Promise((resolve) => setTimeout(resolve, LOG_SAVE_TIMEOUT_MS).unref())]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
