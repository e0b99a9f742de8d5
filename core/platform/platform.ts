import type { ClusterConfig } from '../config/cluster-config.js';
import type { LinkFaults } from '../network/link-faults.js';
import type { Role } from './roles.js';

/**
 * Every platform (local processes, docker, kind, an existing cluster of A100 nodes) brings a stack up behind
 * this interface. Components are addressed by role, node and id, and every fault chaos injects is an
 * operation on a ComponentHandle, so experiments never know which platform they run on.
 */
export interface Platform {
  readonly name: PlatformName;
  up(config: ClusterConfig, options?: UpOptions): Promise<StackHandle>;
}

export type PlatformName = 'local' | 'docker' | 'kind' | 'cluster';

export interface UpOptions {
  /** Leave the stack running after this process exits (`gauntlet up --detach`). */
  detached?: boolean;
  /** Per-component readiness timeout. */
  readyTimeoutMs?: number;
  /** Where run folders go; defaults to `$GAUNTLET_HOME/runs`. */
  runsDir?: string;
  /** Put a TCP fault proxy on every link between roles (needed by network chaos). */
  networkProxies?: boolean;
  /** Called with progress lines ("etcd ready (3 members, 412 ms)"). */
  log?: (message: string) => void;
}

export interface ComponentSelector {
  role?: Role;
  node?: string;
  id?: string;
}

export interface ComponentInfo {
  role: Role;
  id: string;
  node: string;
  pid: number | undefined;
  url: string | undefined;
}

export interface ComponentHandle extends ComponentInfo {
  readonly logFile: string;
  /** Alive in the platform's sense: the process (container, pod) exists and is not finished. */
  isAlive(): boolean;
  /** SIGKILL is a crash; SIGTERM asks for a graceful drain. Resolves when the component has stopped. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Stops scheduling the component without killing it (cgroup freezer or SIGSTOP); thaw resumes it. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  isFrozen(): boolean;
  /** Starts a stopped component again with the same id, node and settings; resolves when it is ready. */
  restart(): Promise<void>;
}

export interface StackDescription {
  runId: string;
  platform: PlatformName;
  gateway: string;
  apiKey: string;
  runDir: string;
  components: ComponentInfo[];
}

export interface StackHandle extends AsyncDisposable {
  readonly runId: string;
  readonly platform: PlatformName;
  readonly config: ClusterConfig;
  readonly gatewayUrl: string;
  readonly apiKey: string;
  /** Token for the workers' /admin endpoints (GPU fault injection). */
  readonly adminToken: string;
  readonly runDir: string;
  readonly etcdEndpoints: string[];
  /** Fault proxies on the links between roles, when the stack was brought up with networkProxies. */
  readonly links: LinkFaults | undefined;
  components(selector?: ComponentSelector): ComponentHandle[];
  component(id: string): ComponentHandle;
  nodes(): string[];
  describe(): StackDescription;
  /** Stops everything the platform started. Idempotent. */
  down(): Promise<void>;
}

export function matches(component: ComponentInfo, selector: ComponentSelector = {}): boolean {
  return (
    (selector.role === undefined || component.role === selector.role) &&
    (selector.node === undefined || component.node === selector.node) &&
    (selector.id === undefined || component.id === selector.id)
  );
}
