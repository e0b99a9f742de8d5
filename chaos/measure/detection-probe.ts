import { setTimeout as sleep } from 'node:timers/promises';
import { batchersPrefix, workersPrefix } from '../../stack/protocol/registry-keys.js';
import { type Clock, systemClock } from '../clock.js';
import { etcdMemberStatus } from '../faults/etcd-status.js';
import type { DetectionObservation, DetectionSignal } from './detection.js';

export interface ProbeEndpoint {
  id: string;
  url: string;
}

export interface DetectionProbeOptions {
  cluster: string;
  /** Batchers to ask for `GET /v1/status` (direct URLs, past any fault proxy). */
  batchers: () => ProbeEndpoint[] | Promise<ProbeEndpoint[]>;
  /** etcd members: the registry is read from the first that answers, and each is asked for its leader. */
  etcdMembers: () => ProbeEndpoint[] | Promise<ProbeEndpoint[]>;
  /** Worker and batcher ids that should be registered. */
  expected: () => { workers: string[]; batchers: string[] };
  intervalMs?: number;
  /** Each HTTP call; a frozen batcher must not stall the poll. */
  timeoutMs?: number;
  /** The probe stops by itself after this long. */
  maxDurationMs: number;
  clock?: Clock;
  maxObservations?: number;
}

interface WorkerEntry {
  id: string;
  live?: boolean;
  ejected?: boolean;
  registered?: boolean;
}

/**
 * Watches how the stack routes while faults run: every intervalMs it reads each batcher's /v1/status
 * (ejected and live workers), the etcd registry (/gauntlet/<cluster>/workers/ and batchers/, through the
 * v3 JSON gateway) and each etcd member's leader, and records each time a component *becomes* ejected,
 * not live, unregistered, or stops being the etcd leader. detectionOf() turns these into times to detect.
 */
export class DetectionProbe {
  private readonly found: DetectionObservation[] = [];
  /** When each source last answered: an observation's sinceMs. */
  private readonly lastAnswer = new Map<string, number>();
  private readonly active = new Set<string>();
  private readonly memberIds = new Map<string, string>();
  private leader: string | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  private pollCount = 0;
  private readonly clock: Clock;

  constructor(private readonly options: DetectionProbeOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get polls(): number {
    return this.pollCount;
  }

  observations(): readonly DetectionObservation[] {
    return this.found;
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** One poll; public so tests can drive it without timers. */
  async pollOnce(): Promise<void> {
    this.pollCount++;
    // Each signal is stamped when its answer arrived (not when the poll began): the change happened within
    // the polling interval before that, never after it.
    const seen: Array<[string, DetectionSignal, string, number]> = [];
    const sourcesPolled = new Set<string>();
    const expected = this.options.expected();
    await Promise.all([
      ...(await this.options.batchers()).map(async (batcher) => {
        const workers = await this.batcherWorkers(batcher.url);
        if (!workers) return;
        const source = `batcher:${batcher.id}`;
        const t = this.clock.now();
        sourcesPolled.add(source);
        const listed = new Set(workers.map((w) => w.id));
        for (const w of workers) {
          if (w.ejected) seen.push([w.id, 'ejected', source, t]);
          if (w.live === false) seen.push([w.id, 'not_live', source, t]);
          if (w.registered === false) seen.push([w.id, 'unregistered', source, t]);
        }
        for (const id of expected.workers) if (!listed.has(id)) seen.push([id, 'unregistered', source, t]);
      }),
      (async () => {
        const registered = await this.registryIds();
        if (!registered) return;
        const t = this.clock.now();
        sourcesPolled.add('etcd-registry');
        for (const id of [...expected.workers, ...expected.batchers]) {
          if (!registered.has(id)) seen.push([id, 'unregistered', 'etcd-registry', t]);
        }
      })(),
      this.pollLeader(),
    ]);
    const now = new Set<string>();
    for (const [targetId, signal, source, t] of seen) {
      const key = `${source}|${targetId}|${signal}`;
      now.add(key);
      const previous = this.lastAnswer.get(source);
      if (!this.active.has(key))
        this.record({
          t,
          targetId,
          signal,
          source,
          ...(previous === undefined ? {} : { sinceMs: t - previous }),
        });
    }
    // A source that did not answer keeps its state: no news is not recovery.
    for (const key of [...this.active]) {
      const source = key.slice(0, key.indexOf('|'));
      if (sourcesPolled.has(source) && !now.has(key)) this.active.delete(key);
    }
    for (const key of now) this.active.add(key);
    for (const source of sourcesPolled)
      this.lastAnswer.set(source, Math.max(this.lastAnswer.get(source) ?? 0, this.clock.now()));
  }

  /** How often it polls: a detection time is this precise. */
  get intervalMs(): number {
    return this.options.intervalMs ?? 100;
  }

  private async run(): Promise<void> {
    const intervalMs = this.intervalMs;
    const deadline = this.clock.now() + this.options.maxDurationMs;
    const maxPolls = Math.ceil(this.options.maxDurationMs / intervalMs) + 1;
    for (let i = 0; i < maxPolls && !this.stopped && this.clock.now() < deadline; i++) {
      const started = this.clock.now();
      await this.pollOnce().catch(() => {});
      await sleep(Math.max(0, intervalMs - (this.clock.now() - started)));
    }
  }

  private record(observation: DetectionObservation): void {
    if (this.found.length < (this.options.maxObservations ?? 100_000)) this.found.push(observation);
  }

  private async batcherWorkers(url: string): Promise<WorkerEntry[] | undefined> {
    try {
      const response = await fetch(`${url}/v1/status`, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!response.ok) return undefined;
      const body = (await response.json()) as { workers?: WorkerEntry[] };
      return Array.isArray(body.workers) ? body.workers : undefined;
    } catch {
      return undefined;
    }
  }

  private async registryIds(): Promise<Set<string> | undefined> {
    for (const member of await this.options.etcdMembers()) {
      try {
        const ids = new Set<string>();
        for (const prefix of [workersPrefix(this.options.cluster), batchersPrefix(this.options.cluster)]) {
          for (const key of await rangeKeys(member.url, prefix, this.timeoutMs))
            ids.add(key.slice(prefix.length));
        }
        return ids;
      } catch {
        // Try the next member: this one may be the one a fault took down.
      }
    }
    return undefined;
  }

  private async pollLeader(): Promise<void> {
    const members = await this.options.etcdMembers();
    const statuses = await Promise.allSettled(members.map((m) => etcdMemberStatus(m.url, this.timeoutMs)));
    const t = this.clock.now();
    let leaderMemberId: string | undefined;
    statuses.forEach((result, i) => {
      const member = members[i];
      if (result.status !== 'fulfilled' || !member) return;
      this.memberIds.set(result.value.memberId, member.id);
      if (result.value.leaderId !== '0') leaderMemberId = result.value.leaderId;
    });
    const leader = leaderMemberId === undefined ? undefined : this.memberIds.get(leaderMemberId);
    // Members that answer "no leader" (an election under way) still answered: that time is detection
    // latency, not probe resolution.
    const previous = this.lastAnswer.get('etcd-status');
    if (statuses.some((r) => r.status === 'fulfilled')) this.lastAnswer.set('etcd-status', t);
    if (leader === undefined) return;
    if (this.leader !== undefined && leader !== this.leader) {
      this.record({
        t,
        targetId: this.leader,
        signal: 'leader_changed',
        source: 'etcd-status',
        ...(previous === undefined ? {} : { sinceMs: t - previous }),
      });
    }
    this.leader = leader;
  }

  private get timeoutMs(): number {
    return this.options.timeoutMs ?? 300;
  }
}

/** Keys under a prefix, through etcd's v3 JSON gateway. */
export async function rangeKeys(etcdUrl: string, prefix: string, timeoutMs: number): Promise<string[]> {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  const response = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: b64(prefix), range_end: b64(end), keys_only: true }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`etcd range at ${etcdUrl}: HTTP ${response.status}`);
  const body = (await response.json()) as { kvs?: Array<{ key: string }> };
  return (body.kvs ?? []).map((kv) => Buffer.from(kv.key, 'base64').toString('utf8'));
}
