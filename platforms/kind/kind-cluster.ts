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
  /** Control-plane ports published on 127.0.0.1 (NodePorts). */
  portMappings?: Array<{ containerPort: number; hostPort: number }>;
  /** Nodes Ready and CoreDNS available within this long after `kind create cluster` returns. */
  readyTimeoutMs?: number;
  /**
   * Work that needs only the API server and the nodes' containerd (loading images, applying objects),
   * run as soon as `kind create cluster` returns, beside the network set-up and the waits for the nodes
   * and CoreDNS, rather than after them.
   */
  alongside?: (kubectl: (args: string[], input?: string) => Promise<string>) => Promise<void>;
  log?: (line: string) => void;
}

export interface KindClusterTimings {
  createMs: number;
  networkMs: number;
  nodesReadyMs: number;
  dnsReadyMs: number;
  /** When `alongside` finished, from the end of `kind create cluster`. */
  alongsideMs: number;
}

export interface StartedKindCluster extends AsyncDisposable {
  readonly name: string;
  readonly kubeconfig: string;
  readonly nodes: NodeAddress[];
  readonly timings: KindClusterTimings;
  /** kubectl against this cluster. */
  kubectl(args: string[], input?: string): Promise<string>;
  /** Puts back a node's pod routes (after its container restarted, which loses them), and the host's. */
  rewire(nodeName: string): Promise<void>;
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
    renderKindClusterConfig({
      gauntletNodes: options.gauntletNodes,
      podSubnet: options.podSubnet,
      ...(options.portMappings ? { portMappings: options.portMappings } : {}),
    }),
  );
  const kubectl = (args: string[], input?: string) =>
    command(options.kubectl, ['--kubeconfig', kubeconfig, ...args], { timeoutMs: 60_000, input });

  const existing = (await command(options.kind, ['get', 'clusters'], { timeoutMs: 30_000 })).split('\n');
  if (existing.includes(options.name)) {
    log(`kind cluster ${options.name} is left from an earlier run: deleting it first`);
    await command(options.kind, ['delete', 'cluster', '--name', options.name], { timeoutMs: 120_000 });
  }

  let deleted = false;
  const deleteCluster = async () => {
    if (deleted) return;
    deleted = true;
    await deleteKindCluster(options.kind, options.name, { kubeconfig });
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

    let alongsideMs = 0;
    const besides = (options.alongside?.(kubectl) ?? Promise.resolve()).then(() => {
      alongsideMs = Date.now() - t0 - createMs;
    });
    let networkMs = 0;
    let nodesReadyMs = 0;
    let dnsReadyMs = 0;
    let nodes: NodeAddress[] = [];
    const network = (async () => {
      const expected = options.gauntletNodes.length + 1;
      nodes = await waitFor(readyTimeoutMs, `pod CIDRs on all ${expected} nodes`, async () => {
        const found = await nodeAddresses(kubectl);
        return found.length === expected && found.every((n) => n.podCidr !== '' && n.internalIp !== '')
          ? found
          : undefined;
      });
      for (const node of nodes) await wireNode(node, nodes);
      networkMs = Date.now() - t0 - createMs;

      await kubectl([
        'wait',
        '--for=condition=Ready',
        'node',
        '--all',
        `--timeout=${Math.ceil(readyTimeoutMs / 1000)}s`,
      ]);
      nodesReadyMs = Date.now() - t0 - createMs;
      // CoreDNS pods started before the pod network and kube-proxy's service rules existed back off
      // (the kubelet's sandbox retries, then their own API client's): for 30-50 s on this host. Once
      // kube-proxy runs on every node, replacements reach the API server at the first try.
      await kubectl([
        '-n',
        'kube-system',
        'rollout',
        'status',
        'daemonset/kube-proxy',
        `--timeout=${Math.ceil(readyTimeoutMs / 1000)}s`,
      ]);
      await kubectl(['-n', 'kube-system', 'delete', 'pod', '-l', 'k8s-app=kube-dns', '--wait=false']);
      await kubectl([
        '-n',
        'kube-system',
        'rollout',
        'status',
        'deployment/coredns',
        `--timeout=${Math.ceil(readyTimeoutMs / 1000)}s`,
      ]);
      dnsReadyMs = Date.now() - t0 - createMs;
    })();
    // Both run to the end (a failure in one must not leave the other running against a deleted cluster).
    const [networkDone, besidesDone] = await Promise.allSettled([network, besides]);
    if (networkDone.status === 'rejected') throw networkDone.reason;
    if (besidesDone.status === 'rejected') throw besidesDone.reason;
    const timings = { createMs, networkMs, nodesReadyMs, dnsReadyMs, alongsideMs };
    return {
      name: options.name,
      kubeconfig,
      nodes,
      timings,
      kubectl,
      rewire: async (nodeName) => {
        const node = nodes.find((n) => n.name === nodeName);
        if (!node) throw new Error(`no node ${nodeName} in kind cluster ${options.name}`);
        await wireNode(node, nodes);
      },
      delete: deleteCluster,
      [Symbol.asyncDispose]: deleteCluster,
    };
  } catch (error) {
    await deleteCluster().catch((cleanup: Error) => log(`cleanup after a failed start: ${cleanup.message}`));
    throw error;
  }
}

/** The bridge CNI config and the pod routes of one node, and the host's route to its pods. Idempotent. */
async function wireNode(node: NodeAddress, nodes: NodeAddress[]): Promise<void> {
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
  await command('ip', ['route', 'replace', node.podCidr, 'via', node.internalIp], { timeoutMs: 10_000 });
}

/**
 * Deletes a kind cluster and what Gauntlet added around it: the host routes through its nodes, and
 * kind's docker network once no other cluster's nodes are on it. Also for a cluster a crashed run left
 * (`gauntlet down`): the routes are found from the node containers' addresses.
 */
export async function deleteKindCluster(
  kind: string,
  name: string,
  options: { kubeconfig?: string } = {},
): Promise<void> {
  const problems: string[] = [];
  const ips = await command(
    'docker',
    ['ps', '-a', '--filter', `label=io.x-k8s.kind.cluster=${name}`, '--format', '{{.Names}}'],
    { timeoutMs: 30_000 },
  )
    .then(async (names) => {
      const list = names.split('\n').filter((n) => n.trim() !== '');
      if (list.length === 0) return [];
      const out = await command(
        'docker',
        ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', ...list],
        { timeoutMs: 30_000 },
      );
      return out.split(/\s+/).filter((ip) => ip !== '');
    })
    .catch(() => [] as string[]);
  await command(
    kind,
    [
      'delete',
      'cluster',
      '--name',
      name,
      ...(options.kubeconfig ? ['--kubeconfig', options.kubeconfig] : []),
    ],
    { timeoutMs: 120_000 },
  ).catch((error: Error) => problems.push(error.message));
  const routes = await command('ip', ['route', 'show'], { timeoutMs: 10_000 }).catch(() => '');
  for (const line of routes.split('\n')) {
    const match = /^(\S+) via (\S+)/.exec(line.trim());
    if (match?.[1] && match[2] && ips.includes(match[2])) {
      await command('ip', ['route', 'del', match[1], 'via', match[2]], { timeoutMs: 10_000 }).catch(() => {});
    }
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
  if (problems.length > 0) throw new Error(`deleting kind cluster ${name}: ${problems.join('; ')}`);
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
