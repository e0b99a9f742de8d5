import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { ComponentList } from '../../core/platform/component-list.js';
import type {
  ComponentHandle,
  ComponentSelector,
  StackDescription,
  StackHandle,
} from '../../core/platform/platform.js';
import { identityOf } from '../../core/process/process-identity.js';
import type { SupervisedProcess } from '../../core/process/supervised-process.js';
import { removeStackState, type StackState, saveStackState } from '../state/stack-state.js';
import type { LocalComponent } from './local-component.js';
import type { LocalLinkFaults } from './network/local-link-faults.js';

export class LocalStack implements StackHandle {
  readonly platform = 'local' as const;
  gatewayUrl = '';
  links: LocalLinkFaults | undefined;
  private readonly all: LocalComponent[] = [];
  private get list(): ComponentList<LocalComponent> {
    return new ComponentList(this.all);
  }
  private readonly helpers: Array<{ kind: string; process: SupervisedProcess; stop(): Promise<void> }> = [];
  private stopped = false;

  constructor(
    readonly runId: string,
    readonly config: ClusterConfig,
    readonly runDir: string,
    readonly apiKey: string,
    readonly adminToken: string,
    readonly etcdEndpoints: string[],
    private readonly detached: boolean,
  ) {}

  add(component: LocalComponent): void {
    this.all.push(component);
  }

  addHelper(kind: string, process: SupervisedProcess, stop: () => Promise<void>): void {
    this.helpers.push({ kind, process, stop });
    this.saveState();
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
      platform: 'local',
      gateway: this.gatewayUrl,
      apiKey: this.apiKey,
      runDir: this.runDir,
      components: this.list.infos(),
    };
  }

  async reach(url: string): Promise<string> {
    return this.links?.directUrl(url) ?? url;
  }

  /** Records every started process on disk, so `gauntlet down` can clean up after a crash. */
  saveState(): void {
    if (this.stopped) return;
    const state: StackState = {
      runId: this.runId,
      platform: 'local',
      detached: this.detached,
      owner: identityOf(process.pid),
      createdAt: new Date().toISOString(),
      runDir: this.runDir,
      gateway: this.gatewayUrl || undefined,
      apiKey: this.apiKey,
      components: this.all.flatMap((c) =>
        c.process ? [{ role: c.role, id: c.id, node: c.node, url: c.url, ...c.process.identity }] : [],
      ),
      helpers: this.helpers.map((h) => ({ kind: h.kind, ...h.process.identity })),
    };
    saveStackState(state);
  }

  async down(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Thaw first: a frozen process cannot act on SIGTERM and would only die at SIGKILL.
    await Promise.all(this.all.map((c) => c.thaw()));
    await Promise.all(this.helpers.map((h) => h.stop()));
    // Services drain their own in-flight work on SIGTERM (gateway waits for batchers, batchers for workers),
    // so they can stop together; etcd goes last so they can still deregister.
    await Promise.all(this.all.filter((c) => c.role !== 'etcd').map((c) => c.stop(1_500)));
    // A run's etcd data is thrown away: the last member of a cluster would wait for its lost peers, so give
    // the members a short grace and then kill them.
    await Promise.all(this.all.filter((c) => c.role === 'etcd').map((c) => c.stop(300)));
    // etcd preallocates a 64 MB WAL segment a member: kept, a few hundred runs filled a disk. The logs stay.
    rmSync(join(this.runDir, 'etcd'), { recursive: true, force: true });
    removeStackState(this.runId);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
