import type { FaultReach } from '../../core/platform/platform.js';
import { command } from '../kind/command.js';
import type { KubeObject } from '../kind/kustomize-render.js';
import { type AttachRole, attachRoles, formatSelector, type LabelSelector } from './discover-components.js';
import { type FoundPod, type KubeNodeName, reachLines } from './reach-lines.js';

export interface DescribeReachOptions {
  kubectl: string;
  /** --kubeconfig, --context, --namespace. */
  kubectlArgs: readonly string[];
  where: { context: string; namespace: string };
  reach: FaultReach;
  /** Deploy: the objects the run would create. */
  planned?: readonly KubeObject[] | undefined;
  /** Attach: each role's selector. */
  selectors?: Readonly<Record<AttachRole, LabelSelector>> | undefined;
}

const GET_TIMEOUT_MS = 60_000;

/**
 * `chaos --dry-run` on a cluster: reads (kubectl get) the nodes labelled gauntlet.dev/node and, for an
 * attached stack, the pods of each role the faults may act on, and says what the run would touch.
 */
export async function describeReach(options: DescribeReachOptions): Promise<string[]> {
  const get = async (args: string[]) =>
    (
      JSON.parse(
        await command(options.kubectl, [...options.kubectlArgs, 'get', ...args, '-o', 'json'], {
          timeoutMs: GET_TIMEOUT_MS,
        }),
      ) as { items?: Item[] }
    ).items ?? [];
  const kubeNodes: KubeNodeName[] = (await get(['nodes', '-l', 'gauntlet.dev/node'])).map((n) => ({
    name: n.metadata?.name ?? '?',
    gauntletNode: n.metadata?.labels?.['gauntlet.dev/node'] ?? '',
  }));
  const { selectors } = options;
  const attached = selectors
    ? await Promise.all(
        attachRoles
          .filter((role) => options.reach.components.some((c) => c.role === role))
          .map(async (role) => {
            const selector = formatSelector(selectors[role]);
            const pods: FoundPod[] = (await get(['pods', '-l', selector])).map((p) => ({
              name: p.metadata?.name ?? '?',
              node: p.spec?.nodeName,
            }));
            return { role, selector, pods };
          }),
      )
    : undefined;
  return reachLines({
    where: options.where,
    reach: options.reach,
    kubeNodes,
    created: options.planned?.map((o) => ({ kind: o.kind, name: o.metadata.name })),
    attached,
  });
}

interface Item {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string };
}
