import type { ClusterConfig } from '../../../core/config/cluster-config.js';
import type { LinkFaults } from '../../../core/network/link-faults.js';
import { ComponentList } from '../../../core/platform/component-list.js';
import type {
  ComponentHandle,
  ComponentSelector,
  StackDescription,
  StackHandle,
} from '../../../core/platform/platform.js';
import { identityOf } from '../../../core/process/process-identity.js';
import { LocalLinkFaults, type ProxyTable } from '../../local/network/local-link-faults.js';
import { removeStackState, saveStackState } from '../../state/stack-state.js';
import { removeByLabel } from './cleanup-by-label.js';
import type { DockerComponent } from './docker-component.js';

/** A stack whose components are containers on one network of its own, all labelled with the run id. */
export class DockerStack implements StackHandle {
  readonly platform = 'docker' as const;
  links: LinkFaults | undefined = undefined;
  private proxyTable: ProxyTable | undefined;
  gatewayUrl = '';
  etcdEndpoints: string[] = [];
  private readonly all: DockerComponent[] = [];
  private get list(): ComponentList<DockerComponent> {
    return new ComponentList(this.all);
  }
  private readonly stopHooks: Array<() => void> = [];
  private stopped = false;

  constructor(
    readonly runId: string,
    readonly config: ClusterConfig,
    readonly runDir: string,
    readonly apiKey: string,
    readonly adminToken: string,
    private readonly detached: boolean,
  ) {}

  /**
   * Records the run for `gauntlet down`: a detached stack, or one whose owner died, is removed by its label
   * (the record names no processes; the engine knows the containers).
   */
  saveState(): void {
    if (this.stopped) return;
    saveStackState({
      runId: this.runId,
      platform: 'docker',
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

  add(component: DockerComponent): void {
    this.all.push(component);
  }

  /** Components start in parallel and are added as each gets ready; list them in the plan's order. */
  orderAs(ids: string[]): void {
    const rank = new Map(ids.map((id, i) => [id, i]));
    this.all.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  }

  /** The run's link proxies (network faults): the toxics of the local platform, on the toxiproxy container. */
  useLinkProxies(table: ProxyTable): void {
    this.proxyTable = table;
    this.links = new LocalLinkFaults(table);
  }

  /** The container address of a component (the harness's way past its proxy). */
  addressOf(id: string): string | undefined {
    return this.all.find((c) => c.id === id)?.url;
  }

  onDown(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  dockerComponents(): DockerComponent[] {
    return [...this.all];
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
      platform: 'docker',
      gateway: this.gatewayUrl,
      apiKey: this.apiKey,
      runDir: this.runDir,
      components: this.list.infos(),
    };
  }

  /**
   * Component URLs are already the containers' own addresses, past any proxy; a proxy's address (what a
   * service advertises in etcd when the run has link proxies) maps to its target container's.
   */
  async reach(url: string): Promise<string> {
    return this.proxyTable?.directUrl(url) ?? url;
  }

  /**
   * Services get a 1 s SIGTERM grace (they drain what is in flight) while etcd is removed at once (its data
   * is thrown away, and a service that cannot deregister is cut off by the grace anyway); then everything
   * labelled with the run (containers, network, volumes) is removed, also what a failed bring-up created
   * before this object knew of it.
   */
  async down(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const hook of this.stopHooks) hook();
    await Promise.allSettled(this.all.map((c) => (c.role === 'etcd' ? c.kill('SIGKILL') : c.stop(1))));
    await removeByLabel(this.runId);
    removeStackState(this.runId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
