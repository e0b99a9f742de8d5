import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import type { StackHandle } from '../core/platform/platform.js';
import { KindPlatform } from '../platforms/kind/kind-platform.js';
import type { KubeStack } from '../platforms/kind/kube/kube-stack.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
/** The bench's own sampling of the stack's state (the product waits on watches; a bench measures). */
const SAMPLE_MS = 50;

interface WorkerView {
  id: string;
  live?: boolean;
  ejected?: boolean;
}

/** Seconds from `t0` until every batcher's view satisfies `ok` for the worker ids, or NaN after limitS. */
async function untilBatchers(
  stack: StackHandle,
  ids: string[],
  ok: (entry: WorkerView | undefined) => boolean,
  t0: number,
  limitS: number,
): Promise<number> {
  while ((performance.now() - t0) / 1000 < limitS) {
    const views = await Promise.all(
      stack.components({ role: 'batcher' }).map(async (b) => {
        const url = b.url ? await stack.reach(b.url) : undefined;
        if (!url) return undefined;
        const res = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(1_000) }).catch(
          () => undefined,
        );
        const body = (await res?.json().catch(() => undefined)) as { workers?: WorkerView[] } | undefined;
        return body?.workers;
      }),
    );
    if (views.every((v) => v !== undefined && ids.every((id) => ok(v.find((w) => w.id === id)))))
      return (performance.now() - t0) / 1000;
    await sleep(SAMPLE_MS);
  }
  return Number.NaN;
}

const serving = (w: WorkerView | undefined) => w !== undefined && w.live !== false && !w.ejected;
const dropped = (w: WorkerView | undefined) => w === undefined || w.live === false || w.ejected === true;

/**
 * A worker killed (SIGKILL / pod delete, grace 0): seconds until its replacement is Ready (restart()
 * resolves; on kind the StatefulSet controller already started it, on local the harness restarts it)
 * and until every batcher routes to it again.
 */
async function workerKillRecovery(stack: StackHandle): Promise<{ readyS: number; servingS: number }> {
  const worker = stack.component('node-a-gpu0');
  const t0 = performance.now();
  await worker.kill('SIGKILL');
  await worker.restart();
  const readyS = (performance.now() - t0) / 1000;
  const servingS = await untilBatchers(stack, [worker.id], serving, t0, 120);
  return { readyS, servingS };
}

/**
 * A node lost: seconds until every batcher stopped routing to its workers (the stack's own detection),
 * and on kind until the API server marks the node NotReady and until the node controller has marked its
 * pods for eviction (the toleration), within limitS; then the node back and serving.
 */
async function nodeLoss(stack: StackHandle, limitS: number): Promise<Record<string, number>> {
  const workers = stack.components({ node: 'node-a' }).map((c) => c.id);
  const kind = stack.platform === 'kind' ? (stack as KubeStack) : undefined;
  const t0 = performance.now();
  if (kind?.nodeFaults) await kind.nodeFaults.kill('node-a');
  else await Promise.all(stack.components({ node: 'node-a' }).map((c) => c.kill('SIGKILL')));
  const routedAroundS = await untilBatchers(stack, workers, dropped, t0, 60);
  const out: Record<string, number> = { routedAroundS };
  if (kind?.watch && kind.nodeFaults) {
    const watch = kind.watch;
    const kubeNode = kind.nodeFaults.kubeNode('node-a');
    const since = (what: string, probe: () => true | undefined) =>
      watch
        .until(what, Math.max(0, limitS * 1000 - (performance.now() - t0)), probe)
        .then(() => (performance.now() - t0) / 1000)
        .catch(() => Number.NaN);
    out.notReadyS = await since('node NotReady', () => {
      const ready = watch
        .nodes()
        .find((n) => n.metadata?.name === kubeNode)
        ?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready && ready.status !== 'True' ? true : undefined;
    });
    out.podsEvictedS = await since('pods marked for eviction', () =>
      watch
        .pods()
        .filter((p) => p.spec?.nodeName === kubeNode)
        .every((p) => p.metadata?.deletionTimestamp)
        ? true
        : undefined,
    );
  }
  const t1 = performance.now();
  await Promise.all(stack.components({ node: 'node-a' }).map((c) => c.restart()));
  out.backS = (performance.now() - t1) / 1000;
  out.servingAgainS = await untilBatchers(stack, workers, serving, t1, 120);
  return out;
}

/**
 * kind_bringup_s and kind_teardown_s (the default topology, toolchain and images cached, to gateway
 * ready and to nothing left), worker-kill recovery and node-loss timelines on kind (Kubernetes'
 * default 300 s toleration and a 10 s one) beside the local platform's for the same faults.
 */
export async function benchKind(rounds = 2): Promise<Record<string, unknown>> {
  const config = parseClusterConfig('', 'default');
  const ups: number[] = [];
  const downs: number[] = [];
  const kind: Record<string, unknown> = {};
  for (let i = 0; i < rounds; i++) {
    // Round 2 runs with the short toleration, so both node-loss timelines come out of the same rounds.
    const toleration = i === 0 ? undefined : 10;
    const platform = new KindPlatform(toleration === undefined ? {} : { nodeLossTolerationS: toleration });
    const t0 = performance.now();
    const stack = await platform.up(config);
    ups.push((performance.now() - t0) / 1000);
    try {
      if (i === 0) kind.workerKill = await workerKillRecovery(stack);
      // The default toleration is 300 s: watch for 360 s so that its eviction is seen.
      kind[toleration === undefined ? 'nodeLossDefaultToleration' : 'nodeLossToleration10s'] = await nodeLoss(
        stack,
        toleration === undefined ? 360 : 120,
      );
    } finally {
      const t1 = performance.now();
      await stack.down();
      downs.push((performance.now() - t1) / 1000);
    }
  }
  const localStack = await new LocalPlatform().up(config, { readyTimeoutMs: 30_000 });
  const local: Record<string, unknown> = {};
  try {
    local.workerKill = await workerKillRecovery(localStack);
    local.nodeLoss = await nodeLoss(localStack, 60);
  } finally {
    await localStack.down();
  }
  return { upS: median(ups), downS: median(downs), ups, downs, kind, local };
}
