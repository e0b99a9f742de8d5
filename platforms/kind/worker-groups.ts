import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';

/**
 * How many worker pods each configured node gets when every worker pod holds `gpusPerWorker` GPUs: one
 * per GPU on the simulated overlay (1), one per tensor-parallel group on the a100 overlay (2). A config's
 * `nodes[].gpus` always count the node's GPUs, so that the same config describes the same hardware on
 * every platform; a worker is what one pod serves from (what worker-kill kills, what the blast budget
 * counts), so it is a TP group where a pod holds one. The plan and the manifests both take their worker
 * counts from here, so they cannot disagree.
 *
 * Refuses (exit 3, before anything is touched) a node whose GPUs do not split into whole groups, and a
 * worker.tensor_parallel other than the group size: the simulated worker's latency model (and a real
 * engine's --tensor-parallel-size) must describe the GPUs the pod actually holds.
 */
export function workerPodsPerNode(config: ClusterConfig, gpusPerWorker = 1): Map<string, number> {
  const problems: string[] = [];
  if (gpusPerWorker > 1 && config.worker.tensor_parallel !== gpusPerWorker) {
    problems.push(
      `worker.tensor_parallel is ${config.worker.tensor_parallel}, but each worker pod holds ${gpusPerWorker} GPUs: set worker.tensor_parallel: ${gpusPerWorker} in the config`,
    );
  }
  for (const node of config.nodes) {
    if (node.gpus % gpusPerWorker !== 0) {
      problems.push(
        `node ${node.name} has ${node.gpus} GPUs, which do not split into worker pods of ${gpusPerWorker} GPUs each: give it a multiple of ${gpusPerWorker}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new UserFacingError(
      `the config does not fit worker pods of ${gpusPerWorker} GPUs:\n  ${problems.join('\n  ')}`,
    );
  }
  return new Map(config.nodes.map((node) => [node.name, node.gpus / gpusPerWorker]));
}
