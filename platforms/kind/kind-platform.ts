import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { freePort } from '../../core/process/free-port.js';
import { projectRoot } from '../../core/project-root.js';
import { dockerEngineStatus } from '../docker/docker-cli.js';
import { ensureImages } from '../docker/images/ensure-images.js';
import { runsDir } from '../state/gauntlet-home.js';
import { kindCapabilities } from './kind-capabilities.js';
import { cleanupKindRuns, clusterNameOf } from './kind-cleanup.js';
import { startKindCluster } from './kind-cluster.js';
import { kindImageLoader } from './kind-image-loader.js';
import { KindNodeFaults } from './kind-node-faults.js';
import { planKindStack } from './kind-plan.js';
import { ensureKindTools } from './kind-toolchain.js';
import { ClusterWatch } from './kube/cluster-watch.js';
import { KubeStack } from './kube/kube-stack.js';
import { attachStackPods } from './kube/stack-pods.js';
import { renderKustomization } from './kustomize-render.js';
import { nodeImageWith } from './node-image-with.js';
import { freePodSubnet } from './pod-subnet.js';
import { gatewayNodePort, stackObjectsFor } from './stack-objects.js';

export interface KindPlatformOptions {
  /** The Gauntlet project root (deploy/k8s, tools/kind, bin/setup); defaults to this package's. */
  root?: string;
  /**
   * Seconds pods tolerate a NotReady or unreachable node before the node controller evicts them
   * (Kubernetes' default: 300). What a node-loss experiment on a real cluster depends on.
   */
  nodeLossTolerationS?: number;
}

/** The namespace of the sim overlay (deploy/k8s/overlays/sim). */
const namespace = 'gauntlet-sim';

/**
 * The kind platform: a kind cluster of the run's own (one control plane, one worker per Gauntlet node),
 * the stack applied from the Kustomize manifests in deploy/k8s, images loaded without a registry, every
 * wait a watch on the API server (client-node informers), faults through the Kubernetes API and the
 * node containers. The cluster is deleted at teardown, and by `gauntlet down` after a crash.
 */
export class KindPlatform implements Platform {
  readonly name = 'kind' as const;
  readonly capabilities = kindCapabilities;

  constructor(private readonly options: KindPlatformOptions = {}) {}

  plan(config: ClusterConfig): StackPlan {
    return planKindStack(config);
  }

  cleanup(options: CleanupOptions = {}): Promise<CleanupReport[]> {
    return cleanupKindRuns(this.options.root ?? projectRoot(), options);
  }

  async up(config: ClusterConfig, options: UpOptions = {}): Promise<StackHandle> {
    const log = options.log ?? (() => {});
    const root = this.options.root ?? projectRoot();
    const readyTimeoutMs = Math.max(options.readyTimeoutMs ?? 0, 180_000);
    if (options.networkProxies) {
      throw new UserFacingError(
        'network faults (fault proxies on the links) are not available on the kind platform yet; use --platform local',
      );
    }
    if (config.load_balancer.enabled) {
      log(
        'load_balancer: on kind the gateway Service balances the gateways (kube-proxy); the nginx settings (method, weights, backup, max_fails) apply on local and docker only',
      );
    }
    const engine = await dockerEngineStatus();
    if (!engine.ok) {
      throw new UserFacingError(
        `the kind platform needs a Docker engine and none answers (${engine.reason}); \`npm run setup\` starts one`,
      );
    }
    const started = Date.now();
    const tools = await ensureKindTools(root, log);
    const images = await ensureImages({ root, names: ['stack'], log });
    const stackImage = images.stack?.tag ?? '';
    const nodeImage = await nodeImageWith(tools.nodeImage, stackImage, log);
    log(`kind toolchain, node image and stack image ready in ${Date.now() - started} ms`);

    const runId = newRunId();
    const runDir = join(options.runsDir ?? runsDir(), runId);
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const apiKey = config.gateway.api_keys[0] ?? `gk-${randomBytes(12).toString('hex')}`;
    const adminToken = `adm-${randomBytes(16).toString('hex')}`;
    const name = clusterNameOf(runId);
    const stack = new KubeStack({
      platform: 'kind',
      runId,
      config,
      runDir,
      apiKey,
      adminToken,
      detached: options.detached ?? false,
    });
    stack.saveState();
    try {
      const hostPort = await freePort();
      const overlay = await renderKustomization(join(root, 'deploy', 'k8s', 'overlays', 'sim'), {
        kubectl: tools.kubectl,
      });
      const objects = stackObjectsFor(overlay, {
        config,
        stackImage,
        adminToken,
        apiKey,
        ...(this.options.nodeLossTolerationS === undefined
          ? {}
          : { nodeLossTolerationS: this.options.nodeLossTolerationS }),
      });
      const cluster = await startKindCluster({
        name,
        image: nodeImage,
        kind: tools.kind,
        kubectl: tools.kubectl,
        gauntletNodes: config.nodes.map((n) => n.name),
        podSubnet: await freePodSubnet(),
        portMappings: [{ containerPort: gatewayNodePort, hostPort }],
        workDir: join(runDir, 'kind'),
        readyTimeoutMs,
        log,
        // The objects go in while the nodes' network comes up: pods are scheduled as soon as their
        // node is Ready.
        alongside: async (kubectl) => {
          await kubectl(
            ['apply', '-f', '-'],
            JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
          );
        },
      });
      stack.onDown(() => cluster.delete());
      log(`kind cluster ${name} ready in ${Date.now() - started} ms (${JSON.stringify(cluster.timings)})`);

      const watch = await ClusterWatch.start(cluster.kubeconfig, namespace);
      stack.watch = watch;
      stack.kubeAccess = {
        kubectl: tools.kubectl,
        kubeconfig: cluster.kubeconfig,
        namespace,
        provideImage: kindImageLoader(tools.kind, name),
      };
      const nodeFaults = new KindNodeFaults({ watch, rewire: (n) => cluster.rewire(n), readyTimeoutMs });
      stack.nodeFaults = nodeFaults;
      // Before the cluster goes: a paused node container would hold `kind delete` up.
      stack.onDown(async () => {
        await Promise.allSettled(stack.nodes().map((n) => nodeFaults.thaw(n)));
        await watch.stop();
      });

      const expected = await attachStackPods(stack, watch, nodeFaults, readyTimeoutMs);
      stack.gatewayUrl = `http://127.0.0.1:${hostPort}`;
      stack.saveState();
      await waitForRouting(stack, readyTimeoutMs);
      writeFileSync(join(runDir, 'stack.json'), `${JSON.stringify(stack.describe(), null, 2)}\n`);
      writeFileSync(join(runDir, 'kind', 'objects.json'), `${JSON.stringify(objects, null, 2)}\n`);
      log(
        `kind stack ready in ${Date.now() - started} ms: ${expected} pods on ${config.nodes.length + 1} nodes, gateway ${stack.gatewayUrl}`,
      );
      return stack;
    } catch (error) {
      await stack.down().catch((cleanup: Error) => log(`cleanup after a failed start: ${cleanup.message}`));
      throw error;
    }
  }
}

export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
