import { command } from '../kind/command.js';
import type { KubeObject } from '../kind/kustomize-render.js';
import { runLabel } from './cluster-objects.js';
import type { ExistingObject } from './namespace-conflicts.js';

const GET_TIMEOUT_MS = 60_000;

/** kubectl's name for an object's type, group-qualified (`statefulset.apps`) so no CRD of the same kind answers. */
export function resourceOf(object: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const slash = object.apiVersion.indexOf('/');
  const kind = object.kind.toLowerCase();
  return slash < 0 ? kind : `${kind}.${object.apiVersion.slice(0, slash)}`;
}

/**
 * What is in the namespace that a deploy of `planned` would collide with, by two reads (kubectl, as the
 * deploy itself): every object of the kinds a run creates (and pods) that carries any run's label, and
 * every object under one of the names the deploy would create, labelled or not. Read only; a read that
 * fails (no permission, no API server) fails the deploy rather than let it overwrite what it cannot see.
 */
export async function findExistingObjects(
  kubectl: string,
  kubectlArgs: readonly string[],
  planned: readonly KubeObject[],
): Promise<ExistingObject[]> {
  const get = (args: string[]) =>
    command(kubectl, [...kubectlArgs, 'get', ...args, '-o', 'json'], { timeoutMs: GET_TIMEOUT_MS });
  // Pods last: the refusal names a run's objects in this order and counts what does not fit.
  const kinds = [...new Set(planned.map(resourceOf)), 'pod'];
  const labelled = await get([kinds.join(','), '-l', runLabel]);
  const named = await get([
    ...planned.map((o) => `${resourceOf(o)}/${o.metadata.name}`),
    '--ignore-not-found',
  ]);
  return [...existingObjectsOf(labelled), ...existingObjectsOf(named)];
}

/**
 * The objects of `kubectl get -o json` output: a List, a single object (one name asked for and found), or
 * nothing (`--ignore-not-found` with nothing found). Pure.
 */
export function existingObjectsOf(output: string): ExistingObject[] {
  if (output.trim() === '') return [];
  const parsed = JSON.parse(output) as KubeItem & { items?: KubeItem[] };
  const items = parsed.kind === 'List' || Array.isArray(parsed.items) ? (parsed.items ?? []) : [parsed];
  return items.map((item) => ({
    kind: item.kind ?? '?',
    name: item.metadata?.name ?? '?',
    runId: item.metadata?.labels?.[runLabel],
    deleting: item.metadata?.deletionTimestamp !== undefined,
  }));
}

interface KubeItem {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string>; deletionTimestamp?: string };
}
