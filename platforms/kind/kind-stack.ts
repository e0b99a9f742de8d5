import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { LinkFaults } from '../../core/network/link-faults.js';
import { ComponentList } from '../../core/platform/component-list.js';
import type {
  ComponentHandle,
  ComponentSelector,
  PlatformEvent,
  StackDescription,
  StackHandle,
} from '../../core/platform/platform.js';
import { identityOf } from '../../core/process/process-identity.js';
import { removeStackState, saveStackState } from '../state/stack-state.js';
import type { KindComponent } from './kind-component.js';
import type { KindNodeFaults } from './kind-node-faults.js';
import type { ClusterWatch } from './kube/cluster-watch.js';

/** How long teardown gives the pods' logs to be copied into the run folder. */
const LOG_SAVE_TIMEOUT_MS = 15_000;

/**
 * A stack on a kind cluster of its own: its components are pods in one namespace, the gateway is reached
 * through a NodePort published on 127.0.0.1, and everything else at its pod IP (the host routes to the
 * pod network). `down()` copies the pods' logs into the run folder, then deletes the whole cluster.
 */
export class KindStack implements StackHandle {
  readonly platform = 'kind' as const;
  readonly links: LinkFaults | undefined = undefined;
  gatewayUrl = '';
  private readonly all: KindComponent[] = [];
  private readonly teardown: Array<() => Promise<void>> = [];
  private stopped = false;

  constructor(
    readonly runId: string,
    readonly config: ClusterConfig,
    readonly runDir: string,
    readonly apiKey: string,
    readonly adminToken: string,
    readonly clusterName: string,
    private readonly detached: boolean,
  ) {}

  nodeFaults: KindNodeFaults | undefined;
  watch: ClusterWatch | undefined;

  /** Recorded before the cluster exists, so `gauntlet down` finds a cluster whose harness died. */
  saveState(): void {
    if (this.stopped) return;
    saveStackState({
      runId: this.runId,
      platform: 'kind',
      detached: this.detached,
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
      platform: 'kind',
      gateway: this.gatewayUrl,
      apiKey: this.apiKey,
      runDir: this.runDir,
      components: this.list.infos(),
    };
  }

  platformEvents(fromMs: number, toMs: number): PlatformEvent[] {
    return (this.watch?.events ?? []).filter((e) => e.t >= fromMs && e.t <= toMs);
  }

  /** The host routes to the pod network: every pod is reached at its own address. */
  async reach(url: string): Promise<string> {
    return url;
  }

  async down(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.saveLogs();
    const problems: string[] = [];
    for (const step of this.teardown) await step().catch((error: Error) => problems.push(error.message));
    removeStackState(this.runId);
    if (problems.length > 0) throw new Error(`tearing down kind stack ${this.runId}: ${problems.join('; ')}`);
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
