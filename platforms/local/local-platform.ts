import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { StackStartError } from '../../core/errors/stack-start-error.js';
import type { CleanupOptions, CleanupReport } from '../../core/platform/cleanup.js';
import type { Platform, StackHandle, StackPlan, UpOptions } from '../../core/platform/platform.js';
import { waitForRouting } from '../../core/platform/wait-for-routing.js';
import type { CpuSet } from '../../core/process/cpu-set.js';
import { freePort } from '../../core/process/free-port.js';
import { tailOf } from '../../core/process/log-tail.js';
import { SupervisedProcess } from '../../core/process/supervised-process.js';
import { waitForLogLine } from '../../core/process/wait-for-log-line.js';
import { serviceEntry, toolPath } from '../../core/project-root.js';
import { clusterConfigKey } from '../../stack/protocol/registry-keys.js';
import { parseReadyLine } from '../../stack/runtime/ready-line.js';
import { type ServiceEnv, serviceEnvVar } from '../../stack/runtime/service-env.js';
import { cleanupStacks } from '../state/cleanup.js';
import { runsDir } from '../state/gauntlet-home.js';
import { planEtcdCluster, waitForEtcdHealthy } from './etcd-cluster.js';
import { planLocalLoadBalancer } from './load-balancer.js';
import { localCapabilities } from './local-capabilities.js';
import { type Launched, LocalComponent } from './local-component.js';
import { controlNode, loadBalancerId, planLocalStack } from './local-plan.js';
import { LocalStack } from './local-stack.js';
import { startLinkProxies } from './network/link-proxies.js';
import { LocalLinkFaults } from './network/local-link-faults.js';

/** The embedded default platform: every component a process on 127.0.0.1, free ports, logs in a run folder. */
export class LocalPlatform implements Platform {
  readonly name = 'local' as const;
  readonly capabilities = localCapabilities;

  plan(config: ClusterConfig): StackPlan {
    return planLocalStack(config);
  }

  /** Kills the recorded processes of detached stacks and of stacks whose harness died. */
  cleanup(options: CleanupOptions = {}): Promise<CleanupReport[]> {
    return cleanupStacks(options);
  }

  async up(config: ClusterConfig, options: UpOptions = {}): Promise<StackHandle> {
    const log = options.log ?? (() => {});
    const detached = options.detached ?? false;
    const cpus = options.cpus;
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    const runId = newRunId();
    const runDir = join(options.runsDir ?? runsDir(), runId);
    const logsDir = join(runDir, 'logs');
    mkdirSync(logsDir, { recursive: true });
    const apiKey = config.gateway.api_keys[0] ?? `gk-${randomBytes(12).toString('hex')}`;
    const adminToken = `adm-${randomBytes(16).toString('hex')}`;
    const etcdSpecs = await planEtcdCluster(config.etcd.members, join(runDir, 'etcd'), runId);
    const etcdEndpoints = etcdSpecs.map((m) => m.clientUrl);
    const stack = new LocalStack(runId, config, runDir, apiKey, adminToken, etcdEndpoints, detached);
    const save = () => stack.saveState();
    const started = Date.now();

    try {
      // Network chaos needs a TCP proxy on every link (this kernel has no netem): toxiproxy in front of each
      // batcher, each worker and each etcd member, so the stack's own traffic crosses it.
      const proxies = options.networkProxies
        ? await startLinkProxies({
            logFile: join(logsDir, 'toxiproxy.log'),
            detached,
            readyTimeoutMs,
            ...(cpus ? { cpus } : {}),
          })
        : undefined;
      if (proxies) {
        stack.addHelper('toxiproxy', proxies.process, () => proxies.close());
        stack.links = new LocalLinkFaults(proxies);
      }
      // etcd: every member must be running before any can elect a leader, so launch them together.
      const etcdComponents = etcdSpecs.map((spec) => {
        const logFile = join(logsDir, `${spec.id}.log`);
        const component: LocalComponent = new LocalComponent(
          'etcd',
          spec.id,
          controlNode,
          logFile,
          async () => {
            const proc = SupervisedProcess.start({
              command: toolPath('etcd'),
              args: spec.args,
              logFile,
              detached,
              ...(cpus ? { cpus } : {}),
            });
            component.adopt({ process: proc, url: spec.clientUrl });
            await waitForEtcdHealthy(spec.clientUrl, readyTimeoutMs, () => proc.exited);
            return { process: proc, url: spec.clientUrl };
          },
          save,
        );
        stack.add(component);
        return component;
      });
      await startAll(etcdComponents);
      await putClusterConfig(etcdEndpoints[0] ?? '', config);
      log(`etcd ready: ${etcdSpecs.length} member(s) in ${Date.now() - started} ms`);

      const serviceEtcd = proxies
        ? await Promise.all(etcdSpecs.map((m) => proxies.proxyFor('any->etcd', m.id, m.clientUrl)))
        : etcdEndpoints;
      const baseEnv = {
        host: '127.0.0.1',
        port: 0,
        etcdEndpoints: serviceEtcd,
        adminToken,
        apiKeys: [apiKey],
        config,
      };
      const services: LocalComponent[] = [];
      const balanced = config.load_balancer.enabled;
      const proxied = async (env: Omit<ServiceEnv, keyof typeof baseEnv>): Promise<Partial<ServiceEnv>> => {
        // nginx's upstream block names each gateway's port before it starts: pick it (kept across restarts).
        if (env.role === 'gateway') return balanced ? { port: await freePort() } : {};
        if (!proxies) return {};
        // The proxy's upstream must be known before the service starts: pick its port (kept across restarts).
        const port = await freePort();
        const link = env.role === 'worker' ? 'batcher->worker' : 'gateway->batcher';
        return { port, advertiseUrl: await proxies.proxyFor(link, env.id, `http://127.0.0.1:${port}`) };
      };
      const addService = async (env: Omit<ServiceEnv, keyof typeof baseEnv>): Promise<ServiceEnv> => {
        const full: ServiceEnv = { ...baseEnv, ...env, ...(await proxied(env)) };
        const logFile = join(logsDir, `${env.id}.log`);
        const component: LocalComponent = new LocalComponent(
          env.role,
          env.id,
          env.node,
          logFile,
          () => launchService(full, logFile, { detached, readyTimeoutMs, cpus }, (l) => component.adopt(l)),
          save,
        );
        stack.add(component);
        services.push(component);
        return full;
      };
      for (const node of config.nodes) {
        for (let gpu = 0; gpu < node.gpus; gpu++) {
          await addService({ role: 'worker', id: `${node.name}-gpu${gpu}`, node: node.name, gpuIndex: gpu });
        }
      }
      for (let i = 0; i < config.batchers.replicas; i++) {
        await addService({ role: 'batcher', id: `batcher-${i}`, node: controlNode });
      }
      const gatewayPorts: number[] = [];
      for (let i = 0; i < config.gateway.replicas; i++) {
        const env = await addService({ role: 'gateway', id: `gateway-${i}`, node: controlNode });
        gatewayPorts.push(env.port);
      }
      await startAll(services);
      const gateway = stack.components({ role: 'gateway' })[0];
      stack.gatewayUrl = gateway?.url ?? '';
      if (balanced) {
        const logFile = join(logsDir, `${loadBalancerId}.log`);
        const lb = await planLocalLoadBalancer({
          runDir,
          logFile,
          gateways: gatewayPorts.map((port) => `127.0.0.1:${port}`),
          config,
          detached,
          readyTimeoutMs,
          cpus,
        });
        const component: LocalComponent = new LocalComponent(
          'load_balancer',
          loadBalancerId,
          controlNode,
          logFile,
          () => lb.launch((l) => component.adopt(l)),
          save,
        );
        stack.add(component);
        await startAll([component]);
        stack.gatewayUrl = lb.url;
      }
      stack.saveState();
      await waitForRouting(stack, readyTimeoutMs);
      writeFileSync(join(runDir, 'stack.json'), `${JSON.stringify(stack.describe(), null, 2)}\n`);
      log(
        `stack ready in ${Date.now() - started} ms: ${stack.components().length} components, gateway ${stack.gatewayUrl}`,
      );
      return stack;
    } catch (error) {
      await stack.down();
      throw error;
    }
  }
}

async function startAll(components: LocalComponent[]): Promise<void> {
  const results = await Promise.allSettled(components.map((c) => c.start()));
  const failures = results.flatMap((result, i) => {
    const component = components[i];
    if (result.status === 'fulfilled' || !component) return [];
    const reason = (result.reason as Error).message;
    return [
      `${component.role} ${component.id} did not come up: ${reason}\n--- last lines of ${component.logFile}\n${tailOf(component.logFile)}`,
    ];
  });
  if (failures.length > 0) throw new StackStartError(failures.join('\n\n'));
}

async function launchService(
  env: ServiceEnv,
  logFile: string,
  { detached, readyTimeoutMs, cpus }: { detached: boolean; readyTimeoutMs: number; cpus: CpuSet | undefined },
  adopt: (launched: Launched) => void,
): Promise<Launched> {
  const proc = SupervisedProcess.start({
    command: process.execPath,
    args: ['--enable-source-maps', serviceEntry(env.role)],
    env: { ...process.env, [serviceEnvVar]: JSON.stringify(env) },
    logFile,
    detached,
    ...(cpus ? { cpus } : {}),
  });
  adopt({ process: proc, url: undefined });
  // The log file is appended to across restarts: only this process's ready line counts (setpriv execs the
  // service, so the pid we spawned is the service's own).
  const ready = await waitForLogLine(
    logFile,
    (line) => {
      const info = parseReadyLine(line);
      return info?.pid === proc.pid ? info : undefined;
    },
    { timeoutMs: readyTimeoutMs, exited: () => proc.exited },
  );
  return { process: proc, url: ready.url };
}

async function putClusterConfig(endpoint: string, config: ClusterConfig): Promise<void> {
  // etcd's gRPC gateway (v3 JSON API) keeps the harness free of a gRPC client for this one write.
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const response = await fetch(`${endpoint}/v3/kv/put`, {
    method: 'POST',
    body: JSON.stringify({
      key: b64(clusterConfigKey(config.cluster_name)),
      value: b64(JSON.stringify(config)),
    }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok)
    throw new StackStartError(`writing the cluster config to etcd failed: HTTP ${response.status}`);
}

function newRunId(): string {
  const now = new Date();
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
