import type { ClusterConfig } from '../../core/config/cluster-config.js';
import type { Role } from '../protocol/registry-keys.js';

/**
 * What a platform hands a service process, as JSON in the GAUNTLET_SERVICE environment variable. The same
 * contract serves local processes, containers and pods, so a service never knows which platform runs it.
 */
export interface ServiceEnv {
  role: Exclude<Role, 'etcd' | 'load_balancer'>;
  id: string;
  node: string;
  /** Index of this worker's GPU on its node. */
  gpuIndex?: number;
  host: string;
  /** 0 picks a free port; the service reports the one it got on its ready line. */
  port: number;
  /** The URL others should use (a proxy in front of the service); defaults to the listening address. */
  advertiseUrl?: string;
  etcdEndpoints: string[];
  /** Token for `/admin/*` endpoints (fault injection). */
  adminToken: string;
  /** API keys the gateway accepts. */
  apiKeys?: string[];
  config: ClusterConfig;
}

export const serviceEnvVar = 'GAUNTLET_SERVICE';

export function readServiceEnv(): ServiceEnv {
  const raw = process.env[serviceEnvVar];
  if (!raw) {
    process.stderr.write(
      `${serviceEnvVar} is not set: services are started by a Gauntlet platform (gauntlet up)\n`,
    );
    process.exit(2);
  }
  return JSON.parse(raw) as ServiceEnv;
}
