import type { ClusterConfig } from '../../../core/config/cluster-config.js';
import { loadBalancerHealthPath, renderNginxConf } from '../../../core/load-balancer/nginx-conf.js';
import type { Role } from '../../../core/platform/roles.js';
import type { StackPlan } from '../../../core/platform/stack-plan.js';
import type { ServiceEnv } from '../../../stack/runtime/service-env.js';
import { componentLabels } from './labels.js';
import { type DockerLimits, dockerLimits } from './resource-limits.js';

/** Control-plane containers (etcd, gateway, batchers) share one notional node, as on the local platform. */
export const controlNode = 'control';
export const servicePort = 8000;
export const etcdClientPort = 2379;
const etcdPeerPort = 2380;

/** One container of a docker stack, fully decided before anything starts (pure, so it can be tested). */
export interface ContainerSpec {
  role: Role;
  id: string;
  node: string;
  /** Container name: unique on the engine, so it carries the run id. */
  name: string;
  /** Name other containers reach it by on the run's network. */
  alias: string;
  image: string;
  command: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  port: number;
  /** Published on 127.0.0.1 (the gateway only). */
  publish: boolean;
  /** The line (substring) a ready container prints. */
  readyLog: string;
  /** Instead of the log line: a path that answers 200 on the published port (images that log nothing). */
  readyHttpPath?: string;
  /** Files written into the container before it starts (the load balancer's rendered nginx.conf). */
  files?: Array<{ path: string; content: string }>;
  limits: DockerLimits;
}

/** What starting a container needs; a helper container (toxiproxy) is no stack component. */
export type ContainerRecipe = Omit<ContainerSpec, 'role' | 'id' | 'node'>;

export interface PlanInput {
  config: ClusterConfig;
  runId: string;
  /** nginx only when load_balancer.enabled. */
  images: { stack: string; etcd: string; nginx?: string };
  apiKey: string;
  adminToken: string;
  machineCpus: number;
  /** False for a plan of names only: resource limits are not parsed (and cannot fail). */
  limitsChecked?: boolean;
  /**
   * The link proxies (network faults): each proxied component is advertised at its proxy's address and
   * services reach etcd through the proxies, so the stack's own traffic crosses them.
   */
  linkProxies?: ReadonlyArray<{ targetId: string; listenUrl: string }>;
}

/**
 * The components a config gives on this platform (the same names as every platform uses), without
 * starting anything: `planContainers` makes exactly these.
 */
export function planDockerStack(config: ClusterConfig): StackPlan {
  const components = planContainers({
    config,
    runId: 'plan',
    images: { stack: 'plan', etcd: 'plan', nginx: 'plan' },
    apiKey: 'plan',
    adminToken: 'plan',
    machineCpus: 1,
    limitsChecked: false,
  }).map(({ role, id, node }) => ({ role, id, node }));
  return { nodes: [...new Set(components.map((c) => c.node))], components };
}

export function containerName(runId: string, id: string): string {
  return `gauntlet-${runId}-${id}`;
}

export function planContainers(input: PlanInput): ContainerSpec[] {
  const { config, runId } = input;
  const members = Array.from({ length: config.etcd.members }, (_, i) => ({ id: `etcd-${i}`, name: `m${i}` }));
  const initialCluster = members.map((m) => `${m.name}=http://${m.id}:${etcdPeerPort}`).join(',');
  const etcd = members.map(
    (m): ContainerSpec => ({
      role: 'etcd',
      id: m.id,
      node: controlNode,
      name: containerName(runId, m.id),
      alias: m.id,
      image: input.images.etcd,
      command: [
        `--name=${m.name}`,
        '--data-dir=/tmp/etcd-data',
        `--listen-client-urls=http://0.0.0.0:${etcdClientPort}`,
        `--advertise-client-urls=http://${m.id}:${etcdClientPort}`,
        `--listen-peer-urls=http://0.0.0.0:${etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://${m.id}:${etcdPeerPort}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        `--initial-cluster-token=${runId}`,
        // As on the local platform: fast leader election, small WAL, bounded backend.
        '--heartbeat-interval=50',
        '--election-timeout=500',
        '--snapshot-count=10000',
        `--quota-backend-bytes=${256 * 1024 * 1024}`,
      ],
      env: {},
      labels: componentLabels(runId, 'etcd', controlNode, m.id),
      port: etcdClientPort,
      publish: false,
      readyLog: 'ready to serve client requests',
      limits: {},
    }),
  );

  const advertised = (id: string, direct: string): string =>
    input.linkProxies?.find((p) => p.targetId === id)?.listenUrl ?? direct;
  const workerLimits =
    input.limitsChecked === false ? {} : dockerLimits(config.resource_limits, input.machineCpus);
  const service = (env: Pick<ServiceEnv, 'role' | 'id' | 'node' | 'gpuIndex'>): ContainerSpec => {
    const full: ServiceEnv = {
      ...env,
      host: '0.0.0.0',
      port: servicePort,
      advertiseUrl: advertised(env.id, `http://${env.id}:${servicePort}`),
      etcdEndpoints: members.map((m) => advertised(m.id, `http://${m.id}:${etcdClientPort}`)),
      adminToken: input.adminToken,
      apiKeys: [input.apiKey],
      config,
    };
    return {
      role: env.role,
      id: env.id,
      node: env.node,
      name: containerName(runId, env.id),
      alias: env.id,
      image: input.images.stack,
      command: [env.role],
      env: { GAUNTLET_SERVICE: JSON.stringify(full) },
      labels: componentLabels(runId, env.role, env.node, env.id),
      port: servicePort,
      // Behind a load balancer only nginx is published; the gateways are reached through it.
      publish: env.role === 'gateway' && !config.load_balancer.enabled,
      readyLog: 'GAUNTLET_READY ',
      // The seed's resource_limits are per worker replica (one GPU's worth of host).
      limits: env.role === 'worker' ? workerLimits : {},
    };
  };
  const workers = config.nodes.flatMap((node) =>
    Array.from({ length: node.gpus }, (_, gpu) =>
      service({ role: 'worker', id: `${node.name}-gpu${gpu}`, node: node.name, gpuIndex: gpu }),
    ),
  );
  const batchers = Array.from({ length: config.batchers.replicas }, (_, i) =>
    service({ role: 'batcher', id: `batcher-${i}`, node: controlNode }),
  );
  const gateways = Array.from({ length: config.gateway.replicas }, (_, i) =>
    service({ role: 'gateway', id: `gateway-${i}`, node: controlNode }),
  );
  const balancer = config.load_balancer.enabled ? [loadBalancerSpec(input)] : [];
  return [...etcd, ...workers, ...batchers, ...gateways, ...balancer];
}

export const loadBalancerPort = 8080;
const loadBalancerId = 'load-balancer-0';

/**
 * The seed's nginx as a container: the same rendered nginx.conf as on the local platform, with the
 * gateways by their network alias (nginx resolves them when it starts, so it starts after them) and its
 * access log on stdout, where the container's log file collects it (JSON lines; access-log.ts reads them).
 */
function loadBalancerSpec(input: PlanInput): ContainerSpec {
  const { config, runId } = input;
  return {
    role: 'load_balancer',
    id: loadBalancerId,
    node: controlNode,
    name: containerName(runId, loadBalancerId),
    alias: loadBalancerId,
    image: input.images.nginx ?? '',
    command: [],
    env: {},
    labels: componentLabels(runId, 'load_balancer', controlNode, loadBalancerId),
    port: loadBalancerPort,
    publish: true,
    readyLog: '',
    readyHttpPath: loadBalancerHealthPath,
    files: [
      {
        path: '/etc/nginx/nginx.conf',
        content: renderNginxConf({
          listen: String(loadBalancerPort),
          gateways: Array.from({ length: config.gateway.replicas }, (_, i) => `gateway-${i}:${servicePort}`),
          settings: config.load_balancer,
          requestTimeoutMs: config.gateway.request_timeout_ms,
          paths: { pidFile: '/tmp/nginx.pid', errorLog: 'stderr', accessLog: '/dev/stdout', tempDir: '/tmp' },
        }),
      },
    ],
    limits: {},
  };
}
