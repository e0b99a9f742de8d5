import type { ClusterConfig } from '../config/cluster-config.js';
import type { LinkFaults } from '../network/link-faults.js';
import type { CpuSet } from '../process/cpu-set.js';
import type { BlastBudget } from './blast-budget.js';
import type { Capabilities } from './capabilities.js';
import type { CleanupOptions, CleanupReport } from './cleanup.js';
import type { ComponentHandle, ComponentInfo } from './component.js';
import type { NodeFaults } from './node-faults.js';
import type { PlannedComponent, StackPlan } from './stack-plan.js';

export type { BlastBudget } from './blast-budget.js';
export type { Capabilities, Capability, Support } from './capabilities.js';
export type { CleanupOptions, CleanupReport } from './cleanup.js';
export type {
  ComponentHandle,
  ComponentInfo,
  ComponentInstance,
  ComponentState,
  LogSource,
} from './component.js';
export type { DrainOutcome, NodeFaults } from './node-faults.js';
export type { PlannedComponent, StackPlan } from './stack-plan.js';

/**
 * Every platform (local processes, docker, kind, an existing cluster of A100 nodes) brings a stack up behind
 * this interface. Components are addressed by role, node and id (stable across restarts), every fault chaos
 * injects is an operation on a ComponentHandle or the stack's LinkFaults, and what a platform cannot do is
 * declared in `capabilities`, so experiments never know which platform they run on.
 */
export interface Platform {
  readonly name: PlatformName;
  readonly capabilities: Capabilities;
  /** The topology `up(config)` would build, without starting anything. */
  plan(config: ClusterConfig): StackPlan;
  up(config: ClusterConfig, options?: UpOptions): Promise<StackHandle>;
  /**
   * Stops what this platform's stacks left behind (detached stacks, a crashed harness's stack), from the
   * platform's own records. `gauntlet down` calls it on every platform.
   */
  cleanup(options?: CleanupOptions): Promise<CleanupReport[]>;
  /**
   * Where faults need the operator's permission (an existing cluster): the budget it grants, after
   * checking that the target may be touched at all (throws a UserFacingError refusal otherwise).
   */
  blastBudget?(): Promise<BlastBudget>;
  /**
   * `--dry-run` where the pods and nodes are someone else's (an existing cluster): lines naming, by the
   * platform's own names, the objects a run would create and the pods and nodes `reach` (the faults'
   * components and nodes, from the plan) may act on. Reads, never writes.
   */
  describeReach?(config: ClusterConfig, reach: FaultReach): Promise<string[]>;
}

/** What an experiment's faults may act on, in the plan's terms (chaos/experiment/fault-reach.ts). */
export interface FaultReach {
  components: PlannedComponent[];
  /** Gauntlet node names a node fault may act on. */
  nodes: string[];
}

export type PlatformName = 'local' | 'docker' | 'kind' | 'cluster';

export interface UpOptions {
  /** Leave the stack running after this process exits (`gauntlet up --detach`). */
  detached?: boolean;
  /** Per-component readiness timeout. */
  readyTimeoutMs?: number;
  /** Where run folders go; defaults to `$GAUNTLET_HOME/runs`. */
  runsDir?: string;
  /** Put a fault proxy on every link between roles (needed by network chaos). */
  networkProxies?: boolean;
  /** Called with progress lines ("etcd ready (3 members, 412 ms)"). */
  log?: (message: string) => void;
  /** Run the stack's processes on these CPUs only, where the platform can (see core/process/cpu-set.ts). */
  cpus?: CpuSet;
}

export interface PlatformEvent {
  /** Unix ms when the harness saw it. */
  t: number;
  /** `pod worker-node-a-0`, `node gauntlet-…-worker`. */
  subject: string;
  change: 'created' | 'ready' | 'not-ready' | 'deleted';
}

export interface ComponentSelector {
  role?: ComponentInfo['role'];
  node?: string;
  id?: string;
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
  /** Whole-node faults, where a node is a machine of its own (kind, clusters); undefined elsewhere. */
  readonly nodeFaults?: NodeFaults;
  /** The Kubernetes API behind the stack's pods, where it has one (kind, clusters): for in-pod faults. */
  readonly kubeAccess?: KubeAccess;
  /**
   * What the platform's own control plane saw between two times (Unix ms): on Kubernetes, pods created,
   * Ready, not Ready and deleted, nodes Ready and NotReady, from the API server's watch. Chaos reports it
   * beside each fault's samples. Undefined where the platform has no such view.
   */
  platformEvents?(fromMs: number, toMs: number): PlatformEvent[];
  /**
   * Where the operator can stop experiments from outside (the cluster platform's ConfigMap or file): why it
   * is pulled, else undefined. Chaos checks it every tick and aborts, rolling every fault back.
   */
  killSwitch?(): string | undefined;
  components(selector?: ComponentSelector): ComponentHandle[];
  component(id: string): ComponentHandle;
  nodes(): string[];
  describe(): StackDescription;
  /**
   * The URL the harness itself uses for a component URL (admin calls, status probes): past any fault proxy,
   * so a link fault never blocks its own rollback or blinds the detection probe; on Kubernetes, a
   * port-forward. Other URLs come back unchanged.
   */
  reach(url: string): Promise<string>;
  /** Stops everything the platform started. Idempotent. */
  down(): Promise<void>;
}

/**
 * How the harness reaches the Kubernetes API of a stack whose components are pods (a component's
 * `instance` names its pod): what a tool acting inside pods needs, such as xk6-disruptor.
 */
export interface KubeAccess {
  kubectl: string;
  kubeconfig: string;
  /** The context to use; the kubeconfig's current one when unset. */
  context?: string;
  namespace: string;
  /** Makes an image available to the cluster's nodes (kind: loaded into them; a real cluster pulls it). */
  provideImage(image: string): Promise<void>;
}

export function matches(component: ComponentInfo, selector: ComponentSelector = {}): boolean {
  return (
    (selector.role === undefined || component.role === selector.role) &&
    (selector.node === undefined || component.node === selector.node) &&
    (selector.id === undefined || component.id === selector.id)
  );
}
