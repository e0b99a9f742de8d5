import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getContainerRuntimeClient, StartedNetwork } from 'testcontainers';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type {
  CleanupOptions,
  CleanupReport,
  Platform,
  StackHandle,
  StackPlan,
  UpOptions,
} from '../../core/platform/platform.js';
import { waitForRouting } from '../../core/platform/wait-for-routing.js';
import { projectRoot } from '../../core/project-root.js';
import { clusterConfigKey } from '../../stack/protocol/registry-keys.js';
import { ToxiproxyClient } from '../local/network/toxiproxy-client.js';
import { runsDir } from '../state/gauntlet-home.js';
import { dockerCapabilities } from './docker-capabilities.js';
import { cleanupDockerRuns } from './docker-cleanup.js';
import { dockerEngineStatus } from './docker-cli.js';
import { ensureImages } from './images/ensure-images.js';
import { DockerLinkProxies } from './network/docker-link-proxies.js';
import { watchRunEvents } from './stack/container-events.js';
import { type ContainerSpec, planContainers, planDockerStack } from './stack/container-plan.js';
import { attachLog, DockerComponent } from './stack/docker-component.js';
import { DockerStack } from './stack/docker-stack.js';
import { GauntletContainer } from './stack/gauntlet-container.js';
import { runLabels } from './stack/labels.js';
import { planLinkProxies, toxiproxyApiPort, toxiproxyContainer } from './stack/link-proxy-plan.js';
import { ResourceLimitError } from './stack/resource-limits.js';

export interface DockerPlatformOptions {
  /** The Gauntlet project root (dist/, package-lock.json, deploy/docker/); defaults to this package's. */
  root?: string;
}

/**
 * The docker platform: every component a container on a network of the run's own, built from images
 * made on this machine (no registry needed), started through testcontainers and labelled with the run id,
 * role, node and id. Only the gateway is published, on 127.0.0.1.
 */
export class DockerPlatform implements Platform {
  readonly name = 'docker' as const;
  readonly capabilities = dockerCapabilities;

  constructor(private readonly options: DockerPlatformOptions = {}) {}

  plan(config: ClusterConfig): StackPlan {
    return planDockerStack(config);
  }

  /** Removes detached runs and runs whose harness died, by their label (see docker-cleanup.ts). */
  cleanup(options: CleanupOptions = {}): Promise<CleanupReport[]> {
    return cleanupDockerRuns(options);
  }

  async up(config: ClusterConfig, options: UpOptions = {}): Promise<StackHandle> {
    const log = options.log ?? (() => {});
    const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    const engine = await dockerEngineStatus();
    if (!engine.ok) {
      throw new UserFacingError(
        `the docker platform needs a Docker engine and none answers (${engine.reason}); \`npm run setup\` starts one`,
      );
    }
    const started = Date.now();
    const images = await ensureImages({
      root: this.options.root ?? projectRoot(),
      names: [
        'stack',
        'etcd',
        ...(config.load_balancer.enabled ? (['nginx'] as const) : []),
        ...(options.networkProxies ? (['toxiproxy'] as const) : []),
      ],
      log,
    });
    const stackImage = images.stack?.tag ?? '';
    const etcdImage = images.etcd?.tag ?? '';
    log(`images ready in ${Date.now() - started} ms: ${stackImage}, ${etcdImage}`);

    const runId = newRunId();
    const runDir = join(options.runsDir ?? runsDir(), runId);
    const logsDir = join(runDir, 'logs');
    mkdirSync(logsDir, { recursive: true });
    const apiKey = config.gateway.api_keys[0] ?? `gk-${randomBytes(12).toString('hex')}`;
    const adminToken = `adm-${randomBytes(16).toString('hex')}`;
    // Network faults need a TCP proxy on every link (this kernel has no netem): one toxiproxy container on
    // the run's network, with a proxy in front of each worker, batcher and etcd member.
    const linkProxies = options.networkProxies
      ? planLinkProxies(planDockerStack(config).components)
      : undefined;
    let specs: ContainerSpec[];
    try {
      specs = planContainers({
        config,
        runId,
        images: { stack: stackImage, etcd: etcdImage, ...(images.nginx ? { nginx: images.nginx.tag } : {}) },
        apiKey,
        adminToken,
        machineCpus: availableParallelism(),
        ...(linkProxies ? { linkProxies } : {}),
      });
    } catch (error) {
      if (error instanceof ResourceLimitError) throw new UserFacingError(error.message);
      throw error;
    }
    const capped = specs.find((s) => s.limits.cappedCpus !== undefined)?.limits.cappedCpus;
    if (capped !== undefined)
      log(`resource_limits.cpu is more than this machine has; workers get ${capped} CPUs`);

    const stack = new DockerStack(runId, config, runDir, apiKey, adminToken, options.detached ?? false);
    stack.saveState();
    const upStarted = Date.now();
    try {
      const client = await getContainerRuntimeClient();
      const networkName = `gauntlet-${runId}`;
      const created = await client.network.create({
        Name: networkName,
        Driver: 'bridge',
        Labels: runLabels(runId),
      });
      const network = new StartedNetwork(client, networkName, created);
      const stopEvents = await watchRunEvents(runId, (id, state, atMs) => {
        stack
          .dockerComponents()
          .find((c) => c.id === id)
          ?.observed(state, atMs);
      });
      stack.onDown(stopEvents);
      if (linkProxies) {
        const apiUrl = await startToxiproxy(
          runId,
          images.toxiproxy?.tag ?? '',
          network,
          logsDir,
          readyTimeoutMs,
        );
        const client = new ToxiproxyClient(apiUrl);
        stack.useLinkProxies(
          await DockerLinkProxies.create(client, linkProxies, (id) => stack.addressOf(id)),
        );
        log(`toxiproxy ready: ${linkProxies.length} link proxies, API ${apiUrl}`);
      }

      const start = async (spec: ContainerSpec): Promise<DockerComponent> => {
        const logFile = join(logsDir, `${spec.id}.log`);
        writeFileSync(logFile, '');
        const container = await new GauntletContainer(spec, network, readyTimeoutMs)
          .withLogConsumer((stream) => attachLog(stream, logFile))
          .start()
          .catch((error: Error) => {
            throw new Error(`${spec.role} ${spec.id} did not come up: ${error.message} (log: ${logFile})`);
          });
        const component = new DockerComponent(spec, container, networkName, logFile);
        stack.add(component);
        await component.refresh();
        return component;
      };
      const startAll = async (batch: ContainerSpec[]) => {
        const results = await Promise.allSettled(batch.map(start));
        const failures = results.flatMap((r) =>
          r.status === 'rejected' ? [(r.reason as Error).message] : [],
        );
        if (failures.length > 0)
          throw new UserFacingError(`docker stack did not come up:\n${failures.join('\n')}`);
      };
      // Everything starts together: etcd members must all run before any can elect a leader, and the
      // services retry etcd until it answers, so their start-up overlaps the election.
      const etcdUp = startAll(specs.filter((s) => s.role === 'etcd')).then(async () => {
        stack.etcdEndpoints = stack.components({ role: 'etcd' }).flatMap((c) => (c.url ? [c.url] : []));
        await putClusterConfig(stack.etcdEndpoints[0] ?? '', config);
        log(`etcd ready: ${stack.etcdEndpoints.length} member(s) in ${Date.now() - upStarted} ms`);
      });
      // nginx resolves the gateways' names when it starts: it goes after every service is up.
      const servicesUp = startAll(specs.filter((s) => s.role !== 'etcd' && s.role !== 'load_balancer')).then(
        () => startAll(specs.filter((s) => s.role === 'load_balancer')),
      );
      const [etcdResult, servicesResult] = await Promise.allSettled([etcdUp, servicesUp]);
      if (etcdResult.status === 'rejected') throw etcdResult.reason;
      if (servicesResult.status === 'rejected') throw servicesResult.reason;
      stack.orderAs(specs.map((s) => s.id));
      // The stack's URL is what is published: nginx when there is a load balancer, else the one gateway.
      const front = stack
        .dockerComponents()
        .find((c) => c.role === (config.load_balancer.enabled ? 'load_balancer' : 'gateway'));
      stack.gatewayUrl = (await front?.publishedUrl()) ?? '';
      stack.saveState();
      await waitForRouting(stack, readyTimeoutMs);
      writeFileSync(join(runDir, 'stack.json'), `${JSON.stringify(stack.describe(), null, 2)}\n`);
      log(
        `docker stack ready in ${Date.now() - upStarted} ms: ${stack.components().length} containers, gateway ${stack.gatewayUrl}`,
      );
      return stack;
    } catch (error) {
      await stack.down();
      throw error;
    }
  }
}

/** Starts the run's toxiproxy container and resolves with its API URL (published on 127.0.0.1). */
async function startToxiproxy(
  runId: string,
  image: string,
  network: StartedNetwork,
  logsDir: string,
  readyTimeoutMs: number,
): Promise<string> {
  const logFile = join(logsDir, 'toxiproxy.log');
  writeFileSync(logFile, '');
  const container = await new GauntletContainer(toxiproxyContainer(runId, image), network, readyTimeoutMs)
    .withLogConsumer((stream) => attachLog(stream, logFile))
    .start()
    .catch((error: Error) => {
      throw new Error(`toxiproxy did not come up: ${error.message} (log: ${logFile})`);
    });
  return `http://127.0.0.1:${container.getMappedPort(toxiproxyApiPort)}`;
}

async function putClusterConfig(endpoint: string, config: ClusterConfig): Promise<void> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const response = await fetch(`${endpoint}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({
      key: b64(clusterConfigKey(config.cluster_name)),
      value: b64(JSON.stringify(config)),
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`writing the cluster config to etcd failed: HTTP ${response.status}`);
}

function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
