import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type NodeAddress, renderBridgeConflist, routesFor } from './bridge-cni.js';
import { command } from './command.js';
import { renderKindClusterConfig } from './kind-cluster-config.js';

export interface KindClusterOptions {
  /** Cluster name; kind names the node containers `<name>-control-plane`, `<name>-worker`... */
  name: string;
  /** Node image (bin/setup/kind-node-image.js). */
  image: string;
  kind: string;
  kubectl: string;
  /** Gauntlet node names, one kind worker each. */
  gauntletNodes: string[];
  podSubnet: string;
  /** Where the kind config and kubeconfig are written. */
  workDir: string;
  /** Nodes Ready and CoreDNS available within this long after `kind create cluster` returns. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface KindClusterTimings {
  createMs: number;
  networkMs: number;
  nodesReadyMs: number;
  dnsReadyMs: number;
}

export interface StartedKindCluster extends AsyncDisposable {
  readonly name: string;
  readonly kubeconfig: string;
  readonly nodes: NodeAddress[];
  readonly timings: KindClusterTimings;
  /** kubectl against this cluster. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Deletes the cluster, the host routes to its pods, and kind's docker network when nothing else uses it. */
  delete(): Promise<void>;
}

const CREATE_TIMEOUT_MS = 10 * 60_000;
const POLL_MS = 250;

/**
 * Creates a kind cluster that works without a registry: kind's own CNI (kindnetd) is off, each node
 * gets a bridge CNI config for its pod CIDR, and static routes join the nodes' pod networks (and the
 * host to them, so tests reach pod IPs). Anything created is deleted again if a later step fails.
 */
export async function startKindCluster(options: KindClusterOptions): Promise<StartedKindCluster> {
  const log = options.log ?? (() => {});
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  await mkdir(options.workDir, { recursive: true });
  const configFile = join(options.workDir, 'kind.yaml');
  const kubeconfig = join(options.workDir, 'kubeconfig');
  await writeFile(
    configFile,
    renderKindClusterConfig({ gauntletNodes: options.gauntletNodes, podSubnet: options.podSubnet }),
  );
  const kubectl = (args: string[], input?: string) =>
    command(options.kubectl, ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 60_000, input });

  const existing = (await command(options.kind, ['get', 'clusters'], { timeoutMs: 30_000 })).split('\n');
  if (existing.includes(options.name)) {
    log(`kind cluster ${options.name} is left from an earlier run: deleting it first`);
    await command(options.kind, ['delete', 'cluster', '--name', options.name], { timeoutMs: 120_000 });
  }

  const hostRoutes: string[] = [];
  let deleted = false;
  const deleteCluster = async () => {
    if (deleted) return;
    deleted = true;
    const problems: string[] = [];
    await command(options.kind, ['delete', 'cluster', '--name', options.name, '--kubeconfig', kubeconfig], {
      timeoutMs: 120_000,
    }).catch((error: Error) => problems.push(error.message));
    for (const dst of hostRoutes) {
      await command('ip', ['route', 'del', dst], { timeoutMs: 10_000 }).catch(() => {});
    }
    // kind leaves its network behind; remove it unless another cluster's nodes are still on it
    const users = await command('docker', ['network', 'inspect', '-f', '{{len .Containers}}', 'kind'], {
      timeoutMs: 30_000,
    }).catch(() => undefined);
    if (users?.trim() === '0') {
      await command('docker', ['network', 'rm', 'kind'], { timeoutMs: 30_000 }).catch((error: Error) =>
        problems.push(error.message),
      );
    }
    if (problems.length > 0) throw new Error(`deleting kind cluster ${options.name}: ${problems.join('; ')}`);
  };

  const t0 = Date.now();
  try {
    await command(
      options.kind,
      [
        'create',
        'cluster',
        '--name',
        options.name,
        '--image',
        options.image,
        '--config',
        configFile,
        '--kubeconfig',
        kubeconfig,
      ],
      { timeoutMs: CREATE_TIMEOUT_MS },
    );
    const createMs = Date.now() - t0;
    log(`kind create cluster ${options.name}: ${(createMs / 1000).toFixed(1)} s`);

    const expected = options.gauntletNodes.length + 1;
    const nodes = await waitFor(readyTimeoutMs, `pod CIDRs on all ${expected} nodes`, async () => {
      const found = await nodeAddresses(kubectl);
      return found.length === expected && found.every((n) => n.podCidr !== '' && n.internalIp !== '')
        ? found
        : undefined;
    });
    for (const node of nodes) {
      await command(
        'docker',
        ['exec', '-i', node.name, 'sh', '-c', 'cat > /etc/cni/net.d/10-gauntlet-bridge.conflist'],
        {
          timeoutMs: 30_000,
          input: renderBridgeConflist(node.podCidr),
        },
      );
      for (const route of routesFor(node, nodes)) {
        await command('docker', ['exec', node.name, 'ip', 'route', 'replace', route.dst, 'via', route.via], {
          timeoutMs: 30_000,
        });
      }
      hostRoutes.push(node.podCidr);
      await command('ip', ['route', 'replace', node.podCidr, 'via', node.internalIp], { timeoutMs: 10_000 });
    }
    const networkMs = Date.now() - t0 - createMs;

    await kubectl([
      'wait',
      '--for=condition=Ready',
      'node',
      '--all',
      `--timeout=${Math.ceil(readyTimeoutMs / 1000)}s`,
    ]);
    const nodesReadyMs = Date.now() - t0 - createMs;
    // CoreDNS pods created before the CNI config existed wait out the kubelet's retry back-off
    await kubectl([
      '-n',
      'kube-system',
      'rollout',
      'status',
      'deployment/coredns',
      `--timeout=${Math.ceil(readyTimeoutMs / 1000)}s`,
    ]);
    const dnsReadyMs = Date.now() - t0 - createMs;
    const timings = { createMs, networkMs, nodesReadyMs, dnsReadyMs };
    return {
      name: options.name,
      kubeconfig,
      nodes,
      timings,
      kubectl,
      delete: deleteCluster,
      [Symbol.asyncDispose]: deleteCluster,
    };
  } catch (error) {
    await deleteCluster().catch((cleanup: Error) => log(`cleanup after a failed start: ${cleanup.message}`));
    throw error;
  }
}

async function nodeAddresses(kubectl: (args: string[]) => Promise<string>): Promise<NodeAddress[]> {
  const out = await kubectl([
    'get',
    'nodes',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name = '', podCidr = '', internalIp = ''] = line.trim().split(/\s+/);
      return { name, podCidr, internalIp };
    });
}

/** Polls `probe` until it returns a value; the error names what was awaited and for how long. */
async function waitFor<T>(timeoutMs: number, what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = ` (last error: ${(error as Error).message})`;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError}`);
}
