import { command } from '../kind/command.js';
import { etcdHostRoot, runLabel } from './cluster-objects.js';

/** What a cluster run made, from its record: enough to remove it after the harness died. */
export interface ClusterRunRecord {
  runId: string;
  kubectl: string;
  kubeconfig: string;
  context: string;
  namespace: string;
  /** The stack image (its node runs the etcd folder clean-up). */
  stackImage: string;
}

/** Every kind of object clusterObjectsFor makes, plus the clean-up pods. */
const kinds =
  'statefulsets,deployments,horizontalpodautoscalers,poddisruptionbudgets,services,configmaps,secrets,pods';
const DELETE_TIMEOUT_S = 180;

const kubectlFor =
  (run: ClusterRunRecord) =>
  (args: string[], timeoutMs = 60_000, input?: string) =>
    command(
      run.kubectl,
      ['--kubeconfig', run.kubeconfig, '--context', run.context, '--namespace', run.namespace, ...args],
      { timeoutMs, ...(input === undefined ? {} : { input }) },
    );

/**
 * Removes a cluster run: every object labelled with its run id (waiting until its pods are gone), then
 * the etcd members' host folders, through a short-lived pod on each node that may hold one (etcd is pinned
 * to nodes labelled `gauntlet.dev/node=control`). The namespace itself is the operator's and stays.
 * Returns what it removed; throws with every problem after trying every step.
 */
export async function teardownClusterRun(run: ClusterRunRecord): Promise<string[]> {
  const kubectl = kubectlFor(run);
  const selector = `${runLabel}=${run.runId}`;
  const problems: string[] = [];
  const removed: string[] = [];
  const deleted = await kubectl(
    ['delete', kinds, '-l', selector, '--ignore-not-found', '--wait=true', `--timeout=${DELETE_TIMEOUT_S}s`],
    (DELETE_TIMEOUT_S + 30) * 1_000,
  ).catch((error: Error) => {
    problems.push(error.message);
    return '';
  });
  const count = deleted.split('\n').filter((line) => line.includes(' deleted')).length;
  if (count > 0) removed.push(`${count} objects labelled ${selector} in ${run.context}/${run.namespace}`);
  try {
    const nodes = (await kubectl(['get', 'nodes', '-l', 'gauntlet.dev/node=control', '-o', 'name']))
      .split('\n')
      .map((line) => line.trim().replace(/^node\//, ''))
      .filter(Boolean);
    for (const [index, node] of nodes.entries()) {
      await removeEtcdFolder(run, kubectl, node, `gauntlet-cleanup-${run.runId}-${index}`);
      removed.push(`etcd data of run ${run.runId} on node ${node}`);
    }
  } catch (error) {
    problems.push((error as Error).message);
  }
  if (problems.length > 0) throw new Error(`removing cluster run ${run.runId}: ${problems.join('; ')}`);
  return removed;
}

async function removeEtcdFolder(
  run: ClusterRunRecord,
  kubectl: ReturnType<typeof kubectlFor>,
  node: string,
  name: string,
): Promise<void> {
  // /var/lib always exists, so the mount never creates a folder on a node that had none.
  const runDir = `/host/${etcdHostRoot.replace('/var/lib/', '')}/${run.namespace}/${run.runId}`;
  const script =
    `const fs = require('node:fs'); fs.rmSync(${JSON.stringify(runDir)}, { recursive: true, force: true });` +
    ` for (const dir of [${JSON.stringify(runDir.replace(/\/[^/]+$/, ''))}, '/host/${etcdHostRoot.replace('/var/lib/', '')}'])` +
    ' { try { fs.rmdirSync(dir); } catch {} }';
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: run.namespace,
      labels: { [runLabel]: run.runId, 'gauntlet.dev/role': 'cleanup' },
    },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'remove-etcd-data',
          image: run.stackImage,
          imagePullPolicy: 'IfNotPresent',
          command: ['/usr/local/bin/node', '-e', script],
          volumeMounts: [{ name: 'var-lib', mountPath: '/host' }],
        },
      ],
      volumes: [{ name: 'var-lib', hostPath: { path: '/var/lib', type: 'Directory' } }],
    },
  };
  await kubectl(['apply', '-f', '-'], 60_000, JSON.stringify(pod));
  try {
    await kubectl(
      ['wait', `pod/${name}`, '--for=jsonpath={.status.phase}=Succeeded', '--timeout=90s'],
      120_000,
    );
  } finally {
    await kubectl(['delete', 'pod', name, '--ignore-not-found', '--wait=true', '--timeout=60s'], 90_000);
  }
}
