import type { Role } from './roles.js';

/**
 * What the platform runs a component as right now. It changes when the component is restarted or
 * rescheduled (a new pid, a new container, a pod under a new name); the component's `id` does not.
 */
export type ComponentInstance =
  | { kind: 'process'; pid: number }
  | { kind: 'container'; containerId: string }
  | { kind: 'pod'; namespace: string; pod: string };

/** `starting` until ready; `frozen` while not scheduled (still holding its connections). */
export type ComponentState = 'starting' | 'running' | 'frozen' | 'stopped';

/** A component's log as the platform hands it out: a local file, `docker logs`, `kubectl logs`. */
export interface LogSource {
  /** The whole log so far (or the platform's retained tail). */
  read(): Promise<string>;
  /** Set when the log is a file on this machine (local platform), for messages that point at it. */
  readonly localPath?: string;
}

/** The stable, logical description of a component: selectors (role, node, id) stay valid across restarts. */
export interface ComponentInfo {
  role: Role;
  /** Stable logical id (`node-a-gpu0`, `batcher-1`); never the pid, container id or pod name. */
  id: string;
  node: string;
  /** The address the stack's own traffic uses (may be a fault proxy); the harness goes through `reach`. */
  url: string | undefined;
  /** The platform's current instance, undefined before the first start. */
  instance: ComponentInstance | undefined;
}

export interface ComponentHandle extends Readonly<ComponentInfo> {
  state(): Promise<ComponentState>;
  readonly logs: LogSource;
  /** SIGKILL is a crash; SIGTERM asks for a graceful drain. Resolves when the component has stopped. */
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Stops scheduling the component without killing it; thaw resumes it (a no-op when not frozen). */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  /**
   * Brings a stopped component back with the same id, role and node (its instance may change, as a
   * Deployment recreates a pod under a new name); resolves when it is ready.
   */
  restart(): Promise<void>;
}

/** `pid 1234`, `container 3f2a…`, `pod ns/name`: for status lines and messages. */
export function describeInstance(instance: ComponentInstance | undefined): string {
  if (!instance) return '-';
  switch (instance.kind) {
    case 'process':
      return `pid ${instance.pid}`;
    case 'container':
      return `container ${instance.containerId.slice(0, 12)}`;
    case 'pod':
      return `pod ${instance.namespace}/${instance.pod}`;
  }
}

/** Not stopped: starting, running or frozen (a frozen component still holds its connections). */
export function isUp(state: ComponentState): boolean {
  return state !== 'stopped';
}

/** Every component's state, asked of the platform together. */
export async function statesOf<C extends { state(): Promise<ComponentState> }>(
  components: readonly C[],
): Promise<Array<{ component: C; state: ComponentState }>> {
  const states = await Promise.all(components.map((c) => c.state()));
  return components.map((component, i) => ({ component, state: states[i] ?? 'stopped' }));
}
