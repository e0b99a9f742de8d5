import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { loadClusterConfig } from '../../core/config/load-cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';

export interface Topology {
  /** nodes=N, or the config file's name. */
  name: string;
  nodes: number;
  gpus: number;
  config: ClusterConfig;
}

const MAX_NODES = 64;

/**
 * `--topologies nodes=1,2,4` (the base config, default or --config, with N worker nodes of its first node's
 * GPU count) or a comma-separated list of cluster config files. Errors name the flag and what is allowed.
 */
export function parseTopologies(text: string, baseConfigFile?: string): Topology[] {
  const spec = text.trim();
  if (spec.startsWith('nodes=')) {
    const base = loadClusterConfig(baseConfigFile);
    const gpusPerNode = base.nodes[0]?.gpus ?? base.resource_limits.gpu;
    const counts = spec
      .slice('nodes='.length)
      .split(',')
      .map((s) => s.trim());
    const seen = new Set<number>();
    return counts.map((item) => {
      const n = Number(item);
      if (!Number.isInteger(n) || n < 1 || n > MAX_NODES)
        throw new UserFacingError(
          `--topologies: "${item}" is not a node count; give nodes=N[,N...] with whole N from 1 to ${MAX_NODES}`,
        );
      if (seen.has(n)) throw new UserFacingError(`--topologies: nodes=${n} is given twice`);
      seen.add(n);
      return { name: `nodes=${n}`, nodes: n, gpus: n * gpusPerNode, config: withNodes(base, n, gpusPerNode) };
    });
  }
  if (baseConfigFile)
    throw new UserFacingError(
      '--config is the base of --topologies nodes=...; with config files, leave it out',
    );
  const files = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (files.length === 0)
    throw new UserFacingError(
      '--topologies: give nodes=1,2,4 or a comma-separated list of cluster config files',
    );
  return files.map((file) => {
    if (!existsSync(file))
      throw new UserFacingError(
        `--topologies: ${file} does not exist (give nodes=1,2,4 or a comma-separated list of cluster config files)`,
      );
    const config = loadClusterConfig(file);
    return { name: basename(file), nodes: config.nodes.length, gpus: config.worker_replicas, config };
  });
}

/** The base config with `count` worker nodes named like the default's (node-a, node-b, ...). */
export function withNodes(base: ClusterConfig, count: number, gpusPerNode: number): ClusterConfig {
  const nodes = Array.from({ length: count }, (_, i) => ({
    name: `node-${String.fromCharCode(97 + (i % 26))}${i >= 26 ? Math.floor(i / 26) : ''}`,
    gpus: gpusPerNode,
  }));
  return { ...base, nodes, worker_replicas: count * gpusPerNode };
}
