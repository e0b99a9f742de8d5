import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Role } from '../../core/platform/roles.js';

/** An equality-based label selector (`app=vllm,tier=gpu`), as `kubectl -l` takes it. */
export type LabelSelector = Readonly<Record<string, string>>;

/** The roles an attached stack is made of, and how each is found by default (the reference manifests' labels). */
export const attachRoles = ['etcd', 'gateway', 'batcher', 'worker'] as const satisfies readonly Role[];
export type AttachRole = (typeof attachRoles)[number];

/** Roles without which there is nothing to load or to fault. */
const requiredRoles: ReadonlySet<AttachRole> = new Set(['gateway', 'worker']);

export function defaultSelector(role: AttachRole): LabelSelector {
  return { 'gauntlet.dev/role': role };
}

/** Parses `k=v,k2=v2`; set-based selectors (`in`, `!=`, `!k`) are refused with what is allowed. */
export function parseLabelSelector(text: string): LabelSelector {
  const selector: Record<string, string> = {};
  for (const part of text.split(',')) {
    const match = /^\s*([A-Za-z0-9][-A-Za-z0-9_./]*)\s*==?\s*([-A-Za-z0-9_.]*)\s*$/.exec(part);
    if (!match?.[1] || match[2] === undefined) {
      throw new Error(
        `"${part.trim()}" is not key=value (only equality selectors, comma-separated: app=vllm,tier=gpu)`,
      );
    }
    selector[match[1]] = match[2];
  }
  return selector;
}

export function formatSelector(selector: LabelSelector): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function podMatches(pod: V1Pod, selector: LabelSelector): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export interface DiscoveredComponent {
  role: AttachRole;
  /** A StatefulSet pod's own name (stable across replacements); `<role>-<i>` for other pods. */
  id: string;
  /** The Gauntlet node: the kube node's `gauntlet.dev/node` label, else the kube node's name. */
  node: string;
  port: number;
  /** Set when the pod keeps its name when replaced (a StatefulSet's); else bound by selector and slot. */
  podName: string | undefined;
}

/**
 * The components of a stack Gauntlet did not deploy, found among the namespace's pods by one selector per
 * role. Pure. Returns the components and, for a required role that nothing matches, what to fix.
 */
export function discoverComponents(
  pods: readonly V1Pod[],
  nodes: readonly V1Node[],
  selectors: Readonly<Record<AttachRole, LabelSelector>>,
  namespace: string,
): { components: DiscoveredComponent[]; problems: string[] } {
  const components: DiscoveredComponent[] = [];
  const problems: string[] = [];
  const nodeLabel = (name: string | undefined) =>
    nodes.find((n) => n.metadata?.name === name)?.metadata?.labels?.['gauntlet.dev/node'] ??
    name ??
    'unknown';
  for (const role of attachRoles) {
    const matching = pods
      .filter((p) => !p.metadata?.deletionTimestamp && podMatches(p, selectors[role]))
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    if (matching.length === 0) {
      if (requiredRoles.has(role)) {
        problems.push(
          `no pod in namespace ${namespace} matches the ${role} selector ${formatSelector(selectors[role])} (set another with --selector ${role}=KEY=VALUE)`,
        );
      }
      continue;
    }
    let slot = 0;
    for (const pod of matching) {
      const stateful = pod.metadata?.ownerReferences?.some((o) => o.kind === 'StatefulSet') ?? false;
      const name = pod.metadata?.name ?? '';
      components.push({
        role,
        id: stateful ? name : `${role}-${slot++}`,
        node: nodeLabel(pod.spec?.nodeName),
        port: portOf(pod, role),
        podName: stateful ? name : undefined,
      });
    }
  }
  return { components, problems };
}

/** etcd's client port; for the others the port named `http`, else the first declared, else 8080. */
function portOf(pod: V1Pod, role: AttachRole): number {
  const ports = (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  if (role === 'etcd') return ports.find((p) => p.name === 'client')?.containerPort ?? 2379;
  return (ports.find((p) => p.name === 'http') ?? ports[0])?.containerPort ?? 8080;
}
