import { join } from 'node:path';
import type { ClusterConfig } from '../../../core/config/cluster-config.js';
import { parseClusterConfig } from '../../../core/config/load-cluster-config.js';
import { ComponentList } from '../../../core/platform/component-list.js';
import type { ComponentSelector, StackDescription, StackHandle } from '../../../core/platform/platform.js';
import { SupervisedProcess } from '../../../core/process/supervised-process.js';
import { toolPath } from '../../../core/project-root.js';
import type { Role } from '../../../stack/protocol/registry-keys.js';
import { type EtcdMemberSpec, waitForEtcdHealthy } from '../etcd-cluster.js';
import { type Launched, LocalComponent } from '../local-component.js';

export interface ProcessComponentSpec {
  role: Role;
  id: string;
  node: string;
  launch: (logFile: string) => Promise<Launched>;
}

/** A stand-in component: a real `sleep` process (killable, freezable, restartable), with an optional URL. */
export function sleeper(url?: string): (logFile: string) => Promise<Launched> {
  return async (logFile) => ({
    process: SupervisedProcess.start({ command: 'sleep', args: ['300'], logFile, detached: false }),
    url,
  });
}

/** A real etcd member, as the local platform starts it. */
export function etcdMember(spec: EtcdMemberSpec): (logFile: string) => Promise<Launched> {
  return async (logFile) => {
    const proc = SupervisedProcess.start({
      command: toolPath('etcd'),
      args: spec.args,
      logFile,
      detached: false,
    });
    await waitForEtcdHealthy(spec.clientUrl, 20_000, () => proc.exited);
    return { process: proc, url: spec.clientUrl };
  };
}

/**
 * A StackHandle over real processes that are not Gauntlet services (local platform components around
 * `sleep`, real etcd members), for integration tests of the fault API, the audit and the runner without
 * building and starting the whole stack. Its components are LocalComponents, so tests can read their pids.
 */
export class ProcessStack implements StackHandle {
  readonly links = undefined;
  readonly runId = 'test';
  readonly platform = 'local' as const;
  readonly gatewayUrl = 'http://127.0.0.1:1';
  readonly apiKey = 'test-key-0000';
  readonly config: ClusterConfig;
  private readonly all: LocalComponent[];
  private get list(): ComponentList<LocalComponent> {
    return new ComponentList(this.all);
  }

  private constructor(
    readonly runDir: string,
    readonly adminToken: string,
    readonly etcdEndpoints: string[],
    specs: ProcessComponentSpec[],
  ) {
    this.config = parseClusterConfig('');
    this.all = specs.map(
      (s) =>
        new LocalComponent(
          s.role,
          s.id,
          s.node,
          join(runDir, `${s.id}.log`),
          () => s.launch(join(runDir, `${s.id}.log`)),
          () => {},
          2_000,
        ),
    );
  }

  static async start(
    specs: ProcessComponentSpec[],
    options: { runDir: string; adminToken?: string; etcdEndpoints?: string[] },
  ): Promise<ProcessStack> {
    const stack = new ProcessStack(
      options.runDir,
      options.adminToken ?? 'adm-test',
      options.etcdEndpoints ?? [],
      specs,
    );
    try {
      await Promise.all(stack.all.map((c) => c.start()));
    } catch (error) {
      await stack.down();
      throw error;
    }
    return stack;
  }

  components(selector?: ComponentSelector): LocalComponent[] {
    return this.list.select(selector);
  }

  component(id: string): LocalComponent {
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

  /** No fault proxies here: every URL is reached as it is. */
  async reach(url: string): Promise<string> {
    return url;
  }

  async down(): Promise<void> {
    await Promise.all(this.all.map((c) => c.thaw()));
    await Promise.all(this.all.map((c) => c.stop(1_000)));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
