import { join } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';

/**
 * The Kustomize overlays of deploy/k8s a cluster deploy can render (`--overlay`): `sim`, the simulated
 * workers, one pod per GPU, as on kind; `a100`, real A100 nodes, one pod per tensor-parallel group of
 * 2 GPUs (deploy/k8s/overlays/a100). What Gauntlet must know of an overlay before rendering it (the plan
 * is synchronous and touches nothing) is declared here; a unit test renders each overlay and holds its
 * worker pods' nvidia.com/gpu to `gpusPerWorker`.
 */
export const stackOverlays = {
  sim: { gpusPerWorker: 1, engineUrl: undefined },
  a100: { gpusPerWorker: 2, engineUrl: undefined },
  /** a100 with vLLM beside each worker (deploy/k8s/overlays/a100-vllm), which the worker must front. */
  'a100-vllm': { gpusPerWorker: 2, engineUrl: 'http://127.0.0.1:8000' },
} as const satisfies Record<string, { gpusPerWorker: number; engineUrl: string | undefined }>;

export type StackOverlayName = keyof typeof stackOverlays;

export const stackOverlayNames = Object.keys(stackOverlays) as StackOverlayName[];

/** The default: what `--platform cluster` deployed before there was a choice. */
export const defaultStackOverlay: StackOverlayName = 'sim';

export function isStackOverlayName(value: string): value is StackOverlayName {
  return (stackOverlayNames as string[]).includes(value);
}

/**
 * Why the config does not fit the overlay's engine, or undefined: an overlay with an engine container
 * needs workers that front it at its address; one without needs the simulated GPU (a worker pointed at an
 * engine that is not there would never become ready).
 */
export function engineMismatch(config: ClusterConfig, name: StackOverlayName): string | undefined {
  const wanted = stackOverlays[name].engineUrl;
  const engine = config.worker.engine;
  if (wanted === undefined) {
    return engine.kind === 'sim'
      ? undefined
      : `--overlay ${name} has no engine container, but worker.engine points at ${engine.url}: use --overlay a100-vllm, or leave worker.engine out`;
  }
  if (engine.kind === 'openai' && engine.url === wanted) return undefined;
  return `--overlay ${name} runs vLLM beside each worker at ${wanted}: set worker.engine: { kind: openai, url: ${wanted}, model: glm-4-9b-chat } in the config`;
}

export function stackOverlayDir(root: string, name: StackOverlayName): string {
  return join(root, 'deploy', 'k8s', 'overlays', name);
}
