import { setTimeout as sleep } from 'node:timers/promises';
import { etcdMajority } from '../../core/cluster/etcd-quorum.js';
import type { LinkFaults, LinkToxic } from '../../core/network/link-faults.js';
import { type ComponentHandle, type ComponentState, isUp, statesOf } from '../../core/platform/component.js';
import type { StackHandle } from '../../core/platform/platform.js';
import type { GpuFaults } from '../../stack/protocol/worker-api.js';
import { type Clock, systemClock } from '../clock.js';
import type { LinkName } from '../experiment/experiment-schema.js';
import { findEtcdLeader } from './etcd-status.js';
import { FaultJournal, type JournalEntry } from './fault-journal.js';
import { startDisruptor } from './pod-http/disruptor-run.js';
import type { PodHttpFault } from './pod-http/pod-http-fault.js';
import { createRollback, type Rollback } from './rollback.js';
import { neutralOf, workerAdmin } from './worker-admin.js';

export interface StackFaultsOptions {
  /** The platform's network faults; without it, link faults throw. */
  links?: LinkFaults;
  journal?: FaultJournal;
  clock?: Clock;
  /** One admin or etcd status call. */
  httpTimeoutMs?: number;
  /** How long a rollback waits for a crashing worker to exit before it restarts it. */
  exitWaitMs?: number;
  log?: (line: string) => void;
}

/** Names the fault in the journal; without it an id `<action>-<n>` is made up. */
export interface FaultLabel {
  faultId?: string;
  action?: string;
}

/** Restart order after a fault: etcd first (services need it), entry point last. */
const restartOrder = ['etcd', 'worker', 'batcher', 'gateway'] as const;

/**
 * The one fault API: every fault is an operation on the platform's StackHandle/ComponentHandle (processes,
 * containers or pods alike), on the workers' admin endpoint, or on the platform's LinkFaults. Each call
 * journals the fault with Unix-ms timestamps and returns an idempotent Rollback.
 */
export class StackFaults {
  readonly journal: FaultJournal;
  private readonly clock: Clock;
  private readonly httpTimeoutMs: number;
  private readonly exitWaitMs: number;
  private readonly log: (line: string) => void;
  private seq = 0;

  constructor(
    private readonly stack: StackHandle,
    private readonly options: StackFaultsOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.journal = options.journal ?? new FaultJournal(this.clock);
    this.httpTimeoutMs = options.httpTimeoutMs ?? 2_000;
    this.exitWaitMs = options.exitWaitMs ?? 10_000;
    this.log = options.log ?? (() => {});
  }

  get links(): LinkFaults | undefined {
    return this.options.links;
  }

  /** Kills components (one journal entry for all); the rollback restarts those still down. */
  kill(
    componentIds: string | readonly string[],
    signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL',
    label?: FaultLabel,
  ): Promise<Rollback> {
    return this.killMany(this.byIds(componentIds), signal, { action: 'kill', ...label });
  }

  /** Kills every component on the node(s): a machine lost. */
  killNode(
    nodes: string | readonly string[],
    signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL',
    label?: FaultLabel,
  ): Promise<Rollback> {
    const list = typeof nodes === 'string' ? [nodes] : [...nodes];
    const whole = this.stack.nodeFaults;
    if (!whole) {
      return this.killMany(this.onNodes(list), signal, { action: 'node-kill', ...label }, { nodes: list });
    }
    // A node of its own (kind, a cluster): the machine goes, not its components one by one.
    return this.inject(
      { action: 'node-kill', ...label },
      this.onNodes(list).map((c) => c.id),
      { nodes: list, how: 'node' },
      () => forEachNode(list, 'kill', (node) => whole.kill(node)),
      () => forEachNode(list, 'restart', (node) => whole.restart(node)),
    );
  }

  /** Stops scheduling components without killing them; the rollback thaws them. */
  freeze(componentIds: string | readonly string[], label?: FaultLabel): Promise<Rollback> {
    return this.freezeMany(this.byIds(componentIds), { action: 'freeze', ...label });
  }

  /** Freezes every component on the node(s): a machine that stops answering but keeps its connections. */
  freezeNode(nodes: string | readonly string[], label?: FaultLabel): Promise<Rollback> {
    const list = typeof nodes === 'string' ? [nodes] : [...nodes];
    const whole = this.stack.nodeFaults;
    if (!whole)
      return this.freezeMany(this.onNodes(list), { action: 'node-freeze', ...label }, { nodes: list });
    return this.inject(
      { action: 'node-freeze', ...label },
      this.onNodes(list).map((c) => c.id),
      { nodes: list, how: 'node' },
      () => forEachNode(list, 'freeze', (node) => whole.freeze(node)),
      () => forEachNode(list, 'thaw', (node) => whole.thaw(node)),
    );
  }

  /**
   * Drains the node(s) through the platform's eviction API (PodDisruptionBudgets decide what may go);
   * the journal records what was evicted and what a budget kept. The rollback uncordons.
   */
  drainNode(nodes: string | readonly string[], label?: FaultLabel): Promise<Rollback> {
    const list = typeof nodes === 'string' ? [nodes] : [...nodes];
    const whole = this.stack.nodeFaults;
    if (!whole) throw new Error(`${this.stack.platform}: this platform cannot drain a node`);
    const detail: Record<string, unknown> = { nodes: list };
    return this.inject(
      { action: 'node-drain', ...label },
      this.onNodes(list).map((c) => c.id),
      detail,
      async () => {
        const outcomes = await Promise.all(list.map((node) => whole.drain(node)));
        detail.evicted = outcomes.flatMap((o) => o.evicted);
        detail.blockedByBudget = outcomes.flatMap((o) => o.blocked);
      },
      () => forEachNode(list, 'uncordon', (node) => whole.uncordon(node)),
    );
  }

  etcdKillMember(
    componentId: string,
    signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL',
    label?: FaultLabel,
  ): Promise<Rollback> {
    const member = this.stack.component(componentId);
    if (member.role !== 'etcd') throw new Error(`${componentId} is a ${member.role}, not an etcd member`);
    return this.killMany([member], signal, { action: 'etcd-kill-member', ...label });
  }

  /** The etcd member that is raft leader now, found through each member's maintenance status. */
  async etcdLeader(): Promise<string> {
    const members = await this.reachable(this.stack.components({ role: 'etcd' }));
    const leader = await findEtcdLeader(members, { timeoutMs: Math.min(this.httpTimeoutMs, 1_000) });
    return leader.componentId;
  }

  async etcdKillLeader(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL', label?: FaultLabel): Promise<Rollback> {
    const leader = await this.etcdLeader();
    return this.killMany(
      [this.stack.component(leader)],
      signal,
      { action: 'etcd-kill-leader', ...label },
      { leader },
    );
  }

  /** Kills a majority of the etcd members, the leader first; the rollback restarts them together. */
  async etcdLoseQuorum(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL', label?: FaultLabel): Promise<Rollback> {
    const members = this.stack.components({ role: 'etcd' });
    const leader = await this.etcdLeader().catch(() => undefined);
    const ordered = [...members.filter((m) => m.id === leader), ...members.filter((m) => m.id !== leader)];
    const majority = ordered.slice(0, etcdMajority(members.length));
    return this.killMany(
      majority,
      signal,
      { action: 'etcd-quorum-loss', ...label },
      { leader, members: members.length },
    );
  }

  /**
   * GPU faults through the worker's admin endpoint. The rollback posts the neutral value of each field it
   * set (so two faults on one worker undo only their own); `crash` kills the worker, and its rollback
   * restarts it.
   */
  async gpu(workerIds: readonly string[], faults: GpuFaults, label?: FaultLabel): Promise<Rollback> {
    const workers = workerIds.map((id) => this.stack.component(id));
    for (const w of workers) if (w.role !== 'worker') throw new Error(`${w.id} is a ${w.role}, not a worker`);
    const action = label?.action ?? `gpu-${Object.keys(faults).join('+')}`;
    return this.inject(
      { ...label, action },
      workers.map((w) => w.id),
      { faults },
      async () => {
        await Promise.all(
          workers.map(async (w) =>
            workerAdmin(await this.workerUrl(w), this.stack.adminToken, 'POST', faults, this.httpTimeoutMs),
          ),
        );
      },
      async () => {
        if (faults.crash) {
          await this.restartAll(workers, true);
          return;
        }
        const neutral = neutralOf(faults);
        // A worker that died meanwhile (another fault) has nothing left to clear; restart-dead handles it.
        const alive = await this.inState(workers, isUp);
        await Promise.all(
          alive.map(async (w) =>
            workerAdmin(await this.workerUrl(w), this.stack.adminToken, 'POST', neutral, this.httpTimeoutMs),
          ),
        );
      },
    );
  }

  /**
   * HTTP faults inside the targets' pods (xk6-disruptor: its agent as an ephemeral container proxies the
   * port). The rollback stops the agents and checks that their iptables rules are gone.
   */
  async podHttp(
    componentIds: readonly string[],
    fault: PodHttpFault,
    durationS: number,
    label?: FaultLabel,
  ): Promise<Rollback> {
    const access = this.stack.kubeAccess;
    if (!access)
      throw new Error(`${this.stack.platform}: HTTP faults inside pods need a Kubernetes platform`);
    const components = componentIds.map((id) => this.stack.component(id));
    const pods = components.map((c) => {
      if (c.instance?.kind !== 'pod') throw new Error(`${c.id} is not a pod`);
      return c.instance.pod;
    });
    let stop: (() => Promise<void>) | undefined;
    return this.inject(
      { ...label, action: label?.action ?? 'http-fault' },
      [...componentIds],
      { fault, pods },
      async () => {
        stop = (await startDisruptor(access, pods, fault, durationS, this.log)).stop;
      },
      async () => {
        await stop?.();
      },
    );
  }

  /** A network fault on a link, in front of each target (the link's destinations). */
  async link(
    link: LinkName,
    targetIds: readonly string[],
    toxic: LinkToxic,
    label?: FaultLabel,
  ): Promise<Rollback> {
    const links = this.options.links;
    if (!links) {
      throw new Error(
        `network faults on ${link} need a platform started with network proxies (UpOptions.networkProxies)`,
      );
    }
    const undos: Array<() => Promise<void>> = [];
    return this.inject(
      { ...label, action: label?.action ?? `network-${toxic.kind}` },
      [...targetIds],
      { link, toxic },
      async () => {
        for (const id of targetIds) undos.push(await links.inject(link, id, toxic));
      },
      async () => {
        const results = await Promise.allSettled(undos.map((undo) => undo()));
        const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
        if (failed.length > 0) throw new Error(`removing ${toxic.kind} on ${link}: ${failed.join('; ')}`);
      },
    );
  }

  // Sweeps: run after every fault's own rollback, whatever happened. Each returns what it did or failed at.

  /** SIGCONT (or the platform's unfreeze) for every live component; harmless for one not frozen. */
  async thawAll(): Promise<string[]> {
    const states = await statesOf(this.stack.components());
    const alive = states.filter((s) => isUp(s.state)).map((s) => s.component);
    const frozen = states.filter((s) => s.state === 'frozen').map((s) => s.component.id);
    const results = await Promise.allSettled(alive.map((c) => c.thaw()));
    return [
      ...(frozen.length > 0 ? [`thawed ${frozen.join(', ')}`] : []),
      ...failures(results, alive, 'thaw'),
    ];
  }

  /** Restarts every component that is not running, etcd first. */
  async restartDead(): Promise<string[]> {
    const dead = await this.inState(this.stack.components(), (state) => state === 'stopped');
    if (dead.length === 0) return [];
    try {
      await this.restartAll(dead, false);
      return [`restarted ${dead.map((c) => c.id).join(', ')}`];
    } catch (error) {
      return [`restart-dead: ${(error as Error).message}`];
    }
  }

  async clearGpuFaults(): Promise<string[]> {
    const workers = await this.inState(
      this.stack.components({ role: 'worker' }),
      (state) => isUp(state) && state !== 'frozen',
    );
    const results = await Promise.allSettled(
      workers.map(async (w) =>
        workerAdmin(await this.workerUrl(w), this.stack.adminToken, 'DELETE', undefined, this.httpTimeoutMs),
      ),
    );
    return failures(results, workers, 'clear GPU faults');
  }

  async clearLinkFaults(): Promise<string[]> {
    if (!this.options.links) return [];
    try {
      await this.options.links.clearAll();
      return [];
    } catch (error) {
      return [`clear network faults: ${(error as Error).message}`];
    }
  }

  /** Running components with a URL, each with the URL the harness itself uses for it (stack.reach). */
  async reachable(components: ComponentHandle[]): Promise<Array<{ id: string; url: string }>> {
    const up = await this.inState(components, isUp);
    return Promise.all(
      up.flatMap((c) =>
        c.url === undefined ? [] : [this.stack.reach(c.url).then((url) => ({ id: c.id, url }))],
      ),
    );
  }

  private async workerUrl(worker: ComponentHandle): Promise<string> {
    if (!worker.url) throw new Error(`${worker.id} has no URL (not started?)`);
    return this.stack.reach(worker.url);
  }

  private async inState(
    components: ComponentHandle[],
    wanted: (state: ComponentState) => boolean,
  ): Promise<ComponentHandle[]> {
    return (await statesOf(components)).filter((s) => wanted(s.state)).map((s) => s.component);
  }

  private byIds(ids: string | readonly string[]): ComponentHandle[] {
    const list = typeof ids === 'string' ? [ids] : ids;
    if (list.length === 0) throw new Error('no component given');
    return list.map((id) => this.stack.component(id));
  }

  private onNodes(nodes: readonly string[]): ComponentHandle[] {
    const found = nodes.flatMap((node) => {
      const on = this.stack.components({ node });
      if (on.length === 0)
        throw new Error(`no component on node "${node}"; nodes: ${this.stack.nodes().join(', ')}`);
      return on;
    });
    return found;
  }

  private killMany(
    components: ComponentHandle[],
    signal: 'SIGKILL' | 'SIGTERM',
    label: FaultLabel & { action: string },
    detail: Record<string, unknown> = {},
  ): Promise<Rollback> {
    return this.inject(
      label,
      components.map((c) => c.id),
      { signal, ...detail },
      async () => {
        const results = await Promise.allSettled(components.map((c) => c.kill(signal)));
        const failed = failures(results, components, 'kill');
        if (failed.length > 0) throw new Error(failed.join('; '));
      },
      () => this.restartAll(components, false),
    );
  }

  private freezeMany(
    components: ComponentHandle[],
    label: FaultLabel & { action: string },
    detail: Record<string, unknown> = {},
  ): Promise<Rollback> {
    return this.inject(
      label,
      components.map((c) => c.id),
      detail,
      async () => {
        const results = await Promise.allSettled(components.map((c) => c.freeze()));
        const failed = failures(results, components, 'freeze');
        if (failed.length > 0) throw new Error(failed.join('; '));
      },
      async () => {
        const results = await Promise.allSettled(components.map((c) => c.thaw()));
        const failed = failures(results, components, 'thaw');
        if (failed.length > 0) throw new Error(failed.join('; '));
      },
    );
  }

  /**
   * Restarts the given components that are down, in restartOrder, each role's members together (etcd
   * members must start together to regain quorum). With waitForExit, first waits (bounded) for components
   * that are on their way down, like a worker told to crash.
   */
  private async restartAll(components: ComponentHandle[], waitForExit: boolean): Promise<void> {
    if (waitForExit) {
      const deadline = this.clock.now() + this.exitWaitMs;
      while ((await this.inState(components, isUp)).length > 0 && this.clock.now() < deadline)
        await sleep(20);
    }
    const errors: string[] = [];
    for (const role of restartOrder) {
      const down = await this.inState(
        components.filter((c) => c.role === role),
        (state) => state === 'stopped',
      );
      const results = await Promise.allSettled(down.map((c) => c.restart()));
      errors.push(...failures(results, down, 'restart'));
    }
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  /**
   * Journals and performs one injection. If it fails part-way, what was done is rolled back at once and the
   * error is thrown, so a half-injected fault never stays behind.
   */
  private async inject(
    label: FaultLabel & { action: string },
    targets: string[],
    detail: Record<string, unknown>,
    act: () => Promise<void>,
    revert: () => Promise<void>,
  ): Promise<Rollback> {
    const faultId = label.faultId ?? `${label.action}-${++this.seq}`;
    const entry: JournalEntry = this.journal.begin(faultId, label.action, targets, detail);
    const description = `${label.action} ${targets.join(', ')}`;
    const rollback = createRollback(
      faultId,
      `undo ${description}`,
      async () => {
        this.journal.revertStarted(entry);
        await revert();
      },
      (error) => {
        this.journal.reverted(entry, error);
        this.log(error ? `${faultId}: rollback failed: ${error.message}` : `${faultId}: rolled back`);
      },
    );
    this.log(`${faultId}: ${description}`);
    try {
      await act();
      this.journal.confirmed(entry);
      return rollback;
    } catch (error) {
      this.journal.injectFailed(entry, error as Error);
      await rollback.run().catch(() => {});
      throw new Error(`${faultId}: ${description} failed: ${(error as Error).message}`);
    }
  }
}

async function forEachNode(
  nodes: readonly string[],
  what: string,
  act: (node: string) => Promise<unknown>,
): Promise<void> {
  const results = await Promise.allSettled(nodes.map(act));
  const failed = failures(
    results,
    nodes.map((id) => ({ id })),
    what,
  );
  if (failed.length > 0) throw new Error(failed.join('; '));
}

function failures(
  results: PromiseSettledResult<unknown>[],
  components: { id: string }[],
  what: string,
): string[] {
  return results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${what} ${components[i]?.id ?? '?'}: ${(r.reason as Error).message}`] : [],
  );
}
