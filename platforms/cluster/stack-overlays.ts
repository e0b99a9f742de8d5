import { join } from 'node:path';

/**
 * The Kustomize overlays of deploy/k8s a cluster deploy can render (`--overlay`): `sim`, the simulated
 * workers, one pod per GPU, as on kind; `a100`, real A100 nodes, one pod per tensor-parallel group of
 * 2 GPUs (deploy/k8s/overlays/a100). What Gauntlet must know of an overlay before rendering it (the plan
 * is synchronous and touches nothing) is declared here; a unit test renders each overlay and holds its
 * worker pods' nvidia.com/gpu to `gpusPerWorker`.
 */
export const stackOverlays = {
  sim: { gpusPerWorker: 1 },
  a100: { gpusPerWorker: 2 },
} as const satisfies Record<string, { gpusPerWorker: number }>;

export type StackOverlayName = keyof typeof stackOverlays;

export const stackOverlayNames = Object.keys(stackOverlays) as StackOverlayName[];

/** The default: what `--platform cluster` deployed before there was a choice. */
export const defaultStackOverlay: StackOverlayName = 'sim';

export function isStackOverlayName(value: string): value is StackOverlayName {
  return (stackOverlayNames as string[]).includes(value);
}

export function stackOverlayDir(root: string, name: StackOverlayName): string {
  return join(root, 'deploy', 'k8s', 'overlays', name);
}
