/** One request as nginx's access log (nginx-conf.ts's `gauntlet` format) records it. */
export interface BalancedRequest {
  /** Unix ms when nginx finished the request. */
  endedAt: number;
  /** What the client got (nginx's own 502 when no gateway answered). */
  status: number;
  uri: string;
  /** Every gateway nginx tried for it, in order: more than one means it was retried. */
  upstreams: string[];
  upstreamStatuses: string[];
}

/** nginx joins attempts with ", " (and internal redirects with " : "); "-" is none. */
const splitList = (value: unknown): string[] =>
  typeof value === 'string' && value !== '' && value !== '-' ? value.split(/\s*,\s*|\s+:\s+/) : [];

/** Parses the access log; lines that are not the `gauntlet` JSON format are skipped. */
export function parseAccessLog(text: string): BalancedRequest[] {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (typeof record.t !== 'number' || typeof record.status !== 'number') return [];
      return [
        {
          endedAt: Math.round(record.t * 1000),
          status: record.status,
          uri: typeof record.uri === 'string' ? record.uri : '',
          upstreams: splitList(record.upstream),
          upstreamStatuses: splitList(record.upstream_status),
        },
      ];
    } catch {
      return [];
    }
  });
}

/** What nginx's passive health checks cost while one gateway was dead. */
export interface DeadUpstreamCost {
  /** Requests nginx sent to the dead gateway (each attempt a connect that failed). */
  attemptsOnDead: number;
  /** Of those, requests the client saw fail (5xx): no retry, or the retry failed too. */
  failedRequests: number;
  /** Of those, requests nginx retried on another gateway and that then succeeded. */
  retriedRequests: number;
  /**
   * From the kill to the last request that tried the dead gateway before nginx took it out of rotation
   * (the first run of attempts, before a fail_timeout gap): how long clients met it. Null when none did.
   */
  skippedAfterMs: number | null;
  /** Later attempts, once fail_timeout let nginx try the gateway again while it was still dead. */
  probesAfterSkip: number;
}

/**
 * The cost of one dead gateway, from the access log: requests that ended in [from, to) and tried `dead`.
 * Attempts are counted per request (nginx logs the end of a request, not of each attempt).
 */
export function deadUpstreamCost(
  requests: readonly BalancedRequest[],
  dead: string,
  window: { from: number; to: number; failTimeoutMs: number },
): DeadUpstreamCost {
  const hit = requests
    .filter((r) => r.endedAt >= window.from && r.endedAt < window.to && r.upstreams.includes(dead))
    .sort((a, b) => a.endedAt - b.endedAt);
  // The first run ends at the first gap of half a fail_timeout: nginx had taken the gateway out by then.
  let firstRunEnd: number | undefined;
  let probes = 0;
  for (const r of hit) {
    const inFirstRun =
      probes === 0 && (firstRunEnd === undefined || r.endedAt - firstRunEnd < window.failTimeoutMs / 2);
    if (inFirstRun) firstRunEnd = r.endedAt;
    else probes += 1;
  }
  const failed = hit.filter((r) => r.status >= 500).length;
  return {
    attemptsOnDead: hit.length,
    failedRequests: failed,
    retriedRequests: hit.filter((r) => r.status < 500 && r.upstreams.length > 1).length,
    skippedAfterMs: firstRunEnd === undefined ? null : firstRunEnd - window.from,
    probesAfterSkip: probes,
  };
}
