import { type ClusterConfig, clusterConfigSchema, resolveTopology } from './cluster-config.js';
import { loadYamlFile, parseYamlWith } from './yaml-file.js';

/** Loads and validates a cluster config file; without a file, the documented defaults. */
export function loadClusterConfig(file?: string): ClusterConfig {
  const parsed = file ? loadYamlFile(clusterConfigSchema, file) : clusterConfigSchema.parse({});
  return resolveTopology(parsed);
}

export function parseClusterConfig(text: string, file = '<inline>'): ClusterConfig {
  return resolveTopology(parseYamlWith(clusterConfigSchema, text, file));
}
