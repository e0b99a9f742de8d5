import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import type {
  BlastBudget,
  CleanupOptions,
  CleanupReport,
  FaultReach,
  Platform,
  StackHandle,
  StackPlan,
  UpOptions,
} from '../../core/platform/platform.js';
import { waitForRouting } from '../../core/platform/wait-for-routing.js';
import { projectRoot } from '../../core/project-root.js';
import { ensureImages } from '../docker/images/ensure-images.js';
import { command } from '../kind/command.js';
import { KindComponent } from '../kind/kind-component.js';
import { planKindStack } from '../kind/kind-plan.js';
import { newRunId } from '../kind/kind-platform.js';
import { ClusterWatch, podReady } from '../kind/kube/cluster-watch.js';
import { KubeStack } from '../kind/kube/kube-stack.js';
import { attachStackPods, PodSlots } from '../kind/kube/stack-pods.js';
import { type KubeObject, renderKustomization } from '../kind/kustomize-render.js';
import { servicePort, stackObjectsFor } from '../kind/stack-objects.js';
import { gauntletHome, runsDir } from '../state/gauntlet-home.js';
import {
  type AllowedContext,
  admit,
  admitContext,
  allowlistPath,
  budgetOf,
  loadAllowlist,
} from './allowlist.js';
import { clusterCapabilities } from './cluster-capabilities.js';
import { cleanupClusterRuns } from './cluster-cleanup.js';
import { ClusterNodeFaults } from './cluster-node-faults.js';
import { clusterObjectsFor, runLabel } from './cluster-objects.js';
import { teardownClusterRun } from './cluster-teardown.js';
import { describeReach } from './describe-reach.js';
import {
  type AttachRole,
  attachRoles,
  defaultSelector,
  discoverComponents,
  type LabelSelector,
  podMatches,
} from './discover-components.js';
import { findExistingObjects } from './existing-objects.js';
import { findKubectl } from './find-kubectl.js';
import { KillSwitch } from './kill-switch.js';
import { conflictRefusal, namespaceConflicts } from './namespace-conflicts.js';
import { overlayHasSecret, readOperatorSecret, type StackCredentials } from './operator-secret.js';
import { PortForwards } from './port-forwards.js';
import {
  defaultStackOverlay,
  engineMismatch,
  type StackOverlayName,
  stackOverlayDir,
  stackOverlays,
} from './stack-overlays.js';

/** Where on an existing cluster: `--context`, `--namespace`, and the files that say it is allowed. */
export interface ClusterTarget {
  context?: string | undefined;
  namespace?: string | undefined;
  /** Default: the first file of $KUBECONFIG, else ~/.kube/config. */
  kubeconfig?: string | undefined;
  /** Default: $GAUNTLET_HOME/cluster-allowlist.yaml. */
  allowlist?: string | undefined;
  /** The stack image as the cluster's nodes can pull it; default: the local build's tag (already on the nodes). */
  image?: string | undefined;
  /** The deploy/k8s overlay to deploy (default `sim`, the simulated workers; `a100`: real A100 nodes). */
  overlay?: StackOverlayName | undefined;
  /** Use a stack already deployed in the namespace (found by `selectors`); create and delete nothing. */
  attach?: boolean | undefined;
  /** --attach: the pods of each role (default `gauntlet.dev/role=<role>`). */
  selectors?: Partial<Record<AttachRole, LabelSelector>> | undefined;
  /** --attach: the gateway's API key and the workers' admin token, else read from the namespace's
   *  `gauntlet-secrets*` Secret (keys `api-key`, `admin-token`) as the reference manifests make it. */
  apiKey?: string | undefined;
  adminToken?: string | undefined;
  /** --attach: the gateway Service (default `gateway`). */
  gatewayService?: string | undefined;
}

interface ResolvedTarget {
  context: string;
  namespace: string;
  kubeconfig: string;
  allowlistFile: string;
}

/**
 * An existing Kubernetes cluster (the cluster issue): Gauntlet deploys the stack from the same manifests
 * as kind into a namespace the operator created and opted in, on a context the operator's allowlist
 * names, and removes exactly what it created afterwards (objects by the run's label, etcd's host folders);
 * every address is reached through `kubectl port-forward` on 127.0.0.1, faults go through the API, and a
 * fault over the allowlist's blast budget is refused before anything starts.
 */
export class ClusterPlatform implements Platform {
  readonly name = 'cluster' as const;
  readonly capabilities = clusterCapabilities;

  constructor(
    private readonly target: ClusterTarget = {},
    private readonly root = projectRoot(),
  ) {}

  plan(config: ClusterConfig): StackPlan {
    // An attached stack is found, not deployed: its workers are whatever pods it has, one per GPU by default.
    if (!this.target.attach) {
      const mismatch = engineMismatch(config, this.target.overlay ?? defaultStackOverlay);
      if (mismatch) throw new UserFacingError(mismatch);
    }
    return planKindStack(config, this.target.attach ? 1 : this.gpusPerWorker());
  }

  /** GPUs each worker pod of the overlay this platform deploys holds. */
  private gpusPerWorker(): number {
    return stackOverlays[this.target.overlay ?? defaultStackOverlay].gpusPerWorker;
  }

  cleanup(options: CleanupOptions = {}): Promise<CleanupReport[]> {
    return cleanupClusterRuns(this.root, options);
  }

  async blastBudget(): Promise<BlastBudget> {
    const { entry, target } = await this.admitted();
    return budgetOf(entry, target.allowlistFile);
  }

  /** `--dry-run`: what a deploy would create, and the pods and nodes the faults may act on (reads only). */
  async describeReach(config: ClusterConfig, reach: FaultReach): Promise<string[]> {
    const { target } = await this.admitted();
    const kubectl = await findKubectl(this.root);
    const overlayName = this.target.overlay ?? defaultStackOverlay;
    const planned = this.target.attach
      ? undefined
      : plannedObjects(
          await renderKustomization(stackOverlayDir(this.root, overlayName), { kubectl }),
          config,
          this.gpusPerWorker(),
        );
    const selectors = this.target.attach ? this.attachSelectors() : undefined;
    return describeReach({
      kubectl,
      kubectlArgs: kubectlArgs(target),
      where: target,
      reach,
      planned,
      selectors,
    });
  }

  /** --attach: each role's pods, by its --selector or the reference manifests' label. */
  private attachSelectors(): Record<AttachRole, LabelSelector> {
    return Object.fromEntries(
      attachRoles.map((role) => [role, this.target.selectors?.[role] ?? defaultSelector(role)]),
    ) as Record<AttachRole, LabelSelector>;
  }

  async up(config: ClusterConfig, options: UpOptions = {}): Promise<StackHandle> {
    const log = options.log ?? (() => {});
    const readyTimeoutMs = Math.max(options.readyTimeoutMs ?? 0, 180_000);
    if (options.networkProxies) {
      throw new UserFacingError(
        'network faults (fault proxies on the links) are not available on the cluster platform',
      );
    }
    const { target } = await this.admitted();
    const kubectl = await findKubectl(this.root);
    if (this.target.attach) return this.attach(config, target, kubectl, options, readyTimeoutMs);
    const overlayName = this.target.overlay ?? defaultStackOverlay;
    const gpusPerWorker = this.gpusPerWorker();
    const overlay = await renderKustomization(stackOverlayDir(this.root, overlayName), { kubectl });
    // Before anything is built, recorded or applied: nothing of another stack in the namespace, and the
    // credentials the pods will read.
    await refuseOccupiedNamespace(kubectl, target, plannedObjects(overlay, config, gpusPerWorker));
    const credentials: StackCredentials = overlayHasSecret(overlay)
      ? {
          apiKey: config.gateway.api_keys[0] ?? `gk-${randomBytes(12).toString('hex')}`,
          adminToken: `adm-${randomBytes(16).toString('hex')}`,
        }
      : await readOperatorSecret(kubectl, kubectlArgs(target), target.namespace);
    const { apiKey, adminToken } = credentials;
    const stackImage =
      this.target.image ?? (await ensureImages({ root: this.root, names: ['stack'], log })).stack?.tag ?? '';
    if (!this.target.image) {
      log(
        `stack image ${stackImage}: the local build; the cluster's nodes must already have it (else pass --image)`,
      );
    }
    const runId = newRunId();
    const runDir = join(options.runsDir ?? runsDir(), runId);
    mkdirSync(join(runDir, 'logs'), { recursive: true });
    const record = {
      runId,
      kubectl,
      kubeconfig: target.kubeconfig,
      context: target.context,
      namespace: target.namespace,
      stackImage,
    };
    const stack = new KubeStack({
      platform: 'cluster',
      runId,
      config,
      runDir,
      apiKey,
      adminToken,
      detached: options.detached ?? false,
      kube: {
        kubeconfig: target.kubeconfig,
        context: target.context,
        namespace: target.namespace,
        stackImage,
      },
    });
    // Recorded before anything is created: `gauntlet down` finds what a crashed harness applied.
    stack.saveState();
    const started = Date.now();
    try {
      const objects = clusterObjectsFor(
        stackObjectsFor(overlay, { config, stackImage, adminToken, apiKey, gpusPerWorker }),
        {
          namespace: target.namespace,
          runId,
        },
      );
      writeFileSync(join(runDir, 'objects.json'), `${JSON.stringify(objects, null, 2)}\n`);
      stack.onDown(async () => {
        for (const line of await teardownClusterRun(record)) log(`removed ${line}`);
      });
      await command(kubectl, [...kubectlArgs(target), 'apply', '-f', '-'], {
        timeoutMs: 120_000,
        input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
      });
      log(
        `applied ${objects.length} objects (overlay ${overlayName}) labelled ${runLabel}=${runId} in ${target.context}/${target.namespace}`,
      );

      const watch = await ClusterWatch.start(target.kubeconfig, target.namespace, target.context);
      const { nodeFaults, forwards } = await wireStack(stack, watch, target, kubectl);

      const expected = await attachStackPods(stack, watch, nodeFaults, readyTimeoutMs, gpusPerWorker);
      stack.gatewayUrl = await forwards.open('service/gateway', servicePort);
      stack.saveState();
      await waitForRouting(stack, readyTimeoutMs);
      writeFileSync(join(runDir, 'stack.json'), `${JSON.stringify(stack.describe(), null, 2)}\n`);
      log(
        `cluster stack ready in ${Date.now() - started} ms: ${expected} pods in ${target.context}/${target.namespace}, gateway ${stack.gatewayUrl} (port-forward)`,
      );
      return stack;
    } catch (error) {
      await stack.down().catch((cleanup: Error) => log(`cleanup after a failed start: ${cleanup.message}`));
      throw error;
    }
  }

  /**
   * `--attach`: a stack Gauntlet did not deploy. Its pods are found by selector, its gateway Service is
   * reached through a port-forward, faults go through the API as on a deployed stack; teardown stops the
   * port-forwards and the watch and undoes its own drains, and touches nothing else.
   */
  private async attach(
    config: ClusterConfig,
    target: ResolvedTarget,
    kubectl: string,
    options: UpOptions,
    readyTimeoutMs: number,
  ): Promise<StackHandle> {
    const log = options.log ?? (() => {});
    const watch = await ClusterWatch.start(target.kubeconfig, target.namespace, target.context);
    let stack: KubeStack | undefined;
    try {
      const selectors = this.attachSelectors();
      const found = discoverComponents(watch.pods(), watch.nodes(), selectors, target.namespace);
      if (found.problems.length > 0) throw new UserFacingError(`--attach: ${found.problems.join('; ')}`);
      const secrets = await stackSecrets(watch, target.namespace);
      const apiKey = this.target.apiKey ?? secrets['api-key'];
      if (!apiKey) {
        throw new UserFacingError(
          `--attach: no API key for the gateway; give --api-key (no gauntlet-secrets* Secret with an api-key in ${target.namespace})`,
        );
      }
      const runId = newRunId();
      const runDir = join(options.runsDir ?? runsDir(), runId);
      mkdirSync(join(runDir, 'logs'), { recursive: true });
      stack = new KubeStack({
        platform: 'cluster',
        runId,
        config,
        runDir,
        apiKey,
        adminToken: this.target.adminToken ?? secrets['admin-token'] ?? '',
        detached: options.detached ?? false,
        kube: {
          kubeconfig: target.kubeconfig,
          context: target.context,
          namespace: target.namespace,
          stackImage: '',
          attached: true,
        },
      });
      stack.saveState();
      const attached = stack;
      const { nodeFaults, forwards } = await wireStack(attached, watch, target, kubectl);
      const slots = new Map(
        attachRoles.map((role) => [role, new PodSlots(watch, (p) => podMatches(p, selectors[role]))]),
      );
      const bound = found.components.map((c) => {
        const podName = c.podName;
        return { ...c, pod: podName ? () => watch.pod(podName) : () => slots.get(c.role)?.podOf(c.id) };
      });
      // Attached as it is: every component found must be Ready now, or within the ready timeout.
      await watch.until(`all ${bound.length} attached pods Ready`, readyTimeoutMs, () =>
        bound.every((c) => podReady(c.pod()) && c.pod()?.status?.podIP) ? true : undefined,
      );
      // A worker is known by the id it registers under (what routing and detection name), which its own
      // status gives; a pod that does not answer keeps its pod name.
      const named = await Promise.all(
        bound.map(async (c) => {
          if (c.role !== 'worker') return c;
          const ip = c.pod()?.status?.podIP;
          const self = ip
            ? await selfReported(await reachPod(watch, forwards, `http://${ip}:${c.port}`))
            : {};
          return { ...c, id: self.id ?? c.id, node: self.node ?? c.node };
        }),
      );
      attached.add(named.map((c) => new KindComponent(c, watch, nodeFaults, readyTimeoutMs)));
      const service = this.target.gatewayService ?? 'gateway';
      const port = await watch.api
        .readNamespacedService({ name: service, namespace: target.namespace })
        .then((s) => s.spec?.ports?.[0]?.port)
        .catch(() => undefined);
      if (port === undefined) {
        throw new UserFacingError(
          `--attach: no Service ${service} with a port in ${target.namespace} (name the gateway's with --gateway-service)`,
        );
      }
      stack.gatewayUrl = await forwards.open(`service/${service}`, port);
      stack.saveState();
      writeFileSync(join(runDir, 'stack.json'), `${JSON.stringify(stack.describe(), null, 2)}\n`);
      log(
        `attached to ${found.components.length} pods in ${target.context}/${target.namespace} (nothing created), gateway ${stack.gatewayUrl} (port-forward)`,
      );
      return stack;
    } catch (error) {
      // Stops what this run started (port-forwards, watches) and forgets it; nothing on the cluster is touched.
      await (stack ? stack.down() : watch.stop()).catch((cleanup: Error) =>
        log(`cleanup after a failed attach: ${cleanup.message}`),
      );
      throw error;
    }
  }

  private admission: Promise<{ target: ResolvedTarget; entry: AllowedContext }> | undefined;

  /** The interlock's first gates, once per platform: a known context on the allowlist, an opted-in namespace. */
  private admitted() {
    this.admission ??= this.admit();
    return this.admission;
  }

  private async admit(): Promise<{ target: ResolvedTarget; entry: AllowedContext }> {
    const { context, namespace } = this.target;
    if (!context || !namespace) {
      throw new UserFacingError(
        '--platform cluster needs --context NAME (a context of your kubeconfig) and --namespace N (one you created and labelled; see README: Platforms, cluster)',
      );
    }
    const kubeconfig = this.target.kubeconfig ?? defaultKubeconfig();
    if (!existsSync(kubeconfig)) throw new UserFacingError(`--kubeconfig: no file at ${kubeconfig}`);
    const kubeConfig = new KubeConfig();
    try {
      kubeConfig.loadFromFile(kubeconfig);
    } catch (error) {
      throw new UserFacingError(`--kubeconfig ${kubeconfig}: not a kubeconfig (${(error as Error).message})`);
    }
    const contexts = kubeConfig.getContexts().map((c) => c.name);
    if (!contexts.includes(context)) {
      throw new UserFacingError(
        `--context: ${kubeconfig} has no context "${context}" (it has: ${contexts.join(', ') || 'none'})`,
      );
    }
    const allowlistFile = allowlistPath(this.target.allowlist);
    const allowlist = loadAllowlist(allowlistFile, context);
    // The allowlist is read before the cluster is touched at all: a context not listed gets no request.
    const listed = admitContext({ allowlist, file: allowlistFile, context, namespace });
    if (!listed.ok) throw new UserFacingError(listed.reason);
    kubeConfig.setCurrentContext(context);
    const labels = await kubeConfig
      .makeApiClient(CoreV1Api)
      .readNamespace({ name: namespace })
      .then(
        (ns) => ns.metadata?.labels ?? {},
        (error: { code?: number; message?: string }) => {
          if (error.code === 404) return undefined;
          throw new UserFacingError(
            `cannot read namespace ${namespace} on context ${context}: ${error.message ?? String(error)}`,
          );
        },
      );
    const admission = admit({ allowlist, file: allowlistFile, context, namespace, namespaceLabels: labels });
    if (!admission.ok) throw new UserFacingError(admission.reason);
    return { target: { context, namespace, kubeconfig, allowlistFile }, entry: admission.entry };
  }
}

/**
 * What a cluster stack needs from the cluster, deployed or attached alike: the watch, node faults (drain
 * only), port-forwards for every address, the kill switch; all stopped at down, after undoing the drains
 * this run left in place (and only those) and before any object of the run is deleted.
 */
async function wireStack(
  stack: KubeStack,
  watch: ClusterWatch,
  target: ResolvedTarget,
  kubectl: string,
): Promise<{ nodeFaults: ClusterNodeFaults; forwards: PortForwards }> {
  stack.watch = watch;
  stack.kubeAccess = {
    kubectl,
    kubeconfig: target.kubeconfig,
    context: target.context,
    namespace: target.namespace,
    // A real cluster's nodes pull a fault tool's image from its registry (ghcr.io for xk6-disruptor's
    // agent); Gauntlet side-loads nothing into machines it does not own.
    provideImage: async () => {},
  };
  const nodeFaults = new ClusterNodeFaults(watch);
  stack.nodeFaults = nodeFaults;
  const forwards = new PortForwards({
    kubectl,
    kubectlArgs: kubectlArgs(target),
    logDir: join(stack.runDir, 'logs'),
  });
  const killSwitch = await KillSwitch.start(
    watch.kubeConfig,
    target.namespace,
    join(gauntletHome(), 'kill-switch'),
  );
  stack.killSwitchCheck = () => killSwitch.pulled();
  stack.onDown(async () => {
    try {
      await nodeFaults.undoDrains();
    } finally {
      await Promise.allSettled([forwards.close(), killSwitch.stop(), watch.stop()]);
    }
  });
  stack.reachVia = (url) => reachPod(watch, forwards, url);
  return { nodeFaults, forwards };
}

/**
 * The objects a deploy of `overlay` would create in the namespace, as kinds and names: what the
 * occupancy check looks for. Names do not depend on the image, the credentials or the run id.
 */
function plannedObjects(
  overlay: readonly KubeObject[],
  config: ClusterConfig,
  gpusPerWorker: number,
): KubeObject[] {
  return clusterObjectsFor(
    stackObjectsFor(overlay, { config, stackImage: '', adminToken: '', apiKey: '', gpusPerWorker }),
    { namespace: '', runId: '' },
  );
}

/**
 * One stack per namespace: refuses (exit 3) a deploy into a namespace that holds another run's objects, or
 * objects under the names this one would apply over, naming them, their run, and the ways on.
 */
async function refuseOccupiedNamespace(
  kubectl: string,
  target: ResolvedTarget,
  planned: readonly KubeObject[],
): Promise<void> {
  const existing = await findExistingObjects(kubectl, kubectlArgs(target), planned).catch((error: Error) => {
    throw new UserFacingError(
      `cannot check namespace ${target.namespace} on context ${target.context} for an existing stack, so nothing was deployed: ${error.message}`,
    );
  });
  const conflicts = namespaceConflicts(
    existing,
    planned.map((o) => ({ kind: o.kind, name: o.metadata.name })),
  );
  if (conflicts) throw new UserFacingError(conflictRefusal(conflicts, target));
}

/** What a stack service says it is (`GET /v1/status`: id, node); empty when it does not say. */
async function selfReported(url: string): Promise<{ id?: string; node?: string }> {
  try {
    const response = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return {};
    const body = (await response.json()) as { id?: unknown; node?: unknown };
    return {
      ...(typeof body.id === 'string' ? { id: body.id } : {}),
      ...(typeof body.node === 'string' ? { node: body.node } : {}),
    };
  } catch {
    return {};
  }
}

/** A pod URL (`http://<pod IP>:<port>`) through a port-forward to that pod; other URLs unchanged. */
function reachPod(watch: ClusterWatch, forwards: PortForwards, url: string): Promise<string> {
  const address = new URL(url);
  const pod = watch
    .pods()
    .find((p) => p.status?.podIP === address.hostname && !p.metadata?.deletionTimestamp);
  const name = pod?.metadata?.name;
  return name ? forwards.open(`pod/${name}`, Number(address.port), pod.metadata?.uid) : Promise.resolve(url);
}

/** The reference manifests' Secret (`gauntlet-secrets-<hash>`), decoded; empty when there is none or it cannot be read. */
async function stackSecrets(watch: ClusterWatch, namespace: string): Promise<Record<string, string>> {
  const list = await watch.api.listNamespacedSecret({ namespace }).catch(() => undefined);
  const secret = list?.items.find((s) => s.metadata?.name?.startsWith('gauntlet-secrets'));
  return Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

function kubectlArgs(target: ResolvedTarget): string[] {
  return ['--kubeconfig', target.kubeconfig, '--context', target.context, '--namespace', target.namespace];
}

function defaultKubeconfig(): string {
  const fromEnv = process.env.KUBECONFIG?.split(delimiter).find(Boolean);
  return fromEnv ?? join(homedir(), '.kube', 'config');
}
