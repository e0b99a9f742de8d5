import { setTimeout as sleep } from 'node:timers/promises';

/** One etcd member's view of the cluster, from the v3 JSON gateway (uint64 ids arrive as strings). */
export interface EtcdMemberStatus {
  url: string;
  memberId: string;
  /** "0" while the member knows no leader. */
  leaderId: string;
  raftTerm: string;
}

interface StatusBody {
  header?: { member_id?: string; raft_term?: string };
  leader?: string;
}

/** `POST {member}/v3/maintenance/status`. */
export async function etcdMemberStatus(url: string, timeoutMs = 500): Promise<EtcdMemberStatus> {
  const response = await fetch(`${url}/v3/maintenance/status`, {
    method: 'POST',
    body: '{}',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`etcd status at ${url}: HTTP ${response.status}`);
  const body = (await response.json()) as StatusBody;
  const memberId = body.header?.member_id;
  if (!memberId) throw new Error(`etcd status at ${url}: no header.member_id in ${JSON.stringify(body)}`);
  return { url, memberId, leaderId: body.leader ?? '0', raftTerm: body.header?.raft_term ?? '0' };
}

export interface EtcdMember {
  id: string;
  url: string;
}

export interface EtcdLeader {
  componentId: string;
  memberId: string;
  url: string;
}

/**
 * The component that is the raft leader: the member whose own id equals the leader id it reports. Retries
 * while an election is under way, at most `attempts` times.
 */
export async function findEtcdLeader(
  members: readonly EtcdMember[],
  options: { timeoutMs?: number; attempts?: number; intervalMs?: number } = {},
): Promise<EtcdLeader> {
  const attempts = options.attempts ?? 40;
  let last = 'no member answered';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const results = await Promise.allSettled(members.map((m) => etcdMemberStatus(m.url, options.timeoutMs)));
    const statuses = results.flatMap((r, i) =>
      r.status === 'fulfilled' ? [{ member: members[i], status: r.value }] : [],
    );
    const leader = statuses.find(
      ({ status }) => status.leaderId !== '0' && status.memberId === status.leaderId,
    );
    if (leader?.member)
      return { componentId: leader.member.id, memberId: leader.status.memberId, url: leader.member.url };
    last =
      statuses.length === 0
        ? 'no member answered'
        : statuses.map(({ member, status }) => `${member?.id}: leader ${status.leaderId}`).join(', ');
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(
    `no etcd leader among ${members.map((m) => m.id).join(', ')} after ${attempts} attempts (${last})`,
  );
}
