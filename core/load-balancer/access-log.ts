/** One request as nginx's access log (nginx-conf.ts's `gauntlet` format) records it. */
export interface BalancedRequest {
  /** Unix ms when nginx finished the request. */
  endedAt: number;
  /** What the client got (nginx's own 502 when no gateway answered). */
  status: number;
  /** nginx's request_time: from the request's first byte to its last, so it started at endedAt - durationMs. */
  durationMs: number;
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
          durationMs: typeof record.request_time === 'number' ? Math.round(record.request_time * 1000) : 0,
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
  /** Unix ms of the first failed attempt on the dead gateway: when nginx first saw it gone. Null: never. */
  diedAt: number | null;
  /**
   * Requests under way on the gateway when it was killed (window.from) and not yet ended when nginx saw it
   * gone: nothing nginx does saves a POST already sent. A stream the kill cut is logged with the 200 of its
   * headers, possibly a millisecond before the first failed attempt, so the kill, not that first failure,
   * opens the count.
   */
  inFlight: number;
  inFlightFailed: number;
  /** Requests that started after it died and still tried it: nginx had not taken it out (or tried it again). */
  attemptsAfter: number;
  /** Of those, the ones the client saw fail (5xx): without proxy_next_upstream, every one. */
  failedAfter: number;
  /** Of those, the ones nginx retried on another gateway and that then succeeded. */
  retriedAfter: number;
  /**
   * From its death to the last attempt on it before nginx took it out of rotation (the first run of
   * attempts, up to a gap of half a fail_timeout). Null when no request met it.
   */
  skippedAfterMs: number | null;
  /** Attempts after that gap: fail_timeout let nginx try the still-dead gateway again. */
  probesAfterSkip: number;
}

const failedOn = (r: BalancedRequest, dead: string): boolean => {
  const i = r.upstreams.indexOf(dead);
  const status = Number(r.upstreamStatuses[i]);
  return i >= 0 && (!(status > 0) || status >= 500 || r.status >= 500);
};

/**
 * The cost of one dead gateway, from the access log: requests that tried `dead`, ended after `from` (when it
 * was killed) and started before `to` (a retried request may end long after the gateway is back).
 * nginx logs a request when it ends, with its duration, so a request started before the death is told
 * apart from one that met the dead gateway afterwards.
 */
export function deadUpstreamCost(
  requests: readonly BalancedRequest[],
  dead: string,
  window: { from: number; to: number; failTimeoutMs: number },
): DeadUpstreamCost {
  const hit = requests
    .filter(
      (r) => r.endedAt >= window.from && r.endedAt - r.durationMs < window.to && r.upstreams.includes(dead),
    )
    .sort((a, b) => a.endedAt - b.endedAt);
  const diedAt = hit.find((r) => failedOn(r, dead))?.endedAt ?? null;
  const started = (r: BalancedRequest) => r.endedAt - r.durationMs;
  // Every request in `hit` ended after the kill; those started before nginx saw the death were open on it.
  const inFlight = diedAt === null ? [] : hit.filter((r) => started(r) < diedAt);
  const after = diedAt === null ? [] : hit.filter((r) => started(r) >= diedAt);
  // The first run ends at the first gap of half a fail_timeout: nginx had taken the gateway out by then.
  let firstRunEnd = diedAt ?? undefined;
  let probes = 0;
  for (const r of after) {
    const inFirstRun =
      probes === 0 && firstRunEnd !== undefined && r.endedAt - firstRunEnd < window.failTimeoutMs / 2;
    if (inFirstRun) firstRunEnd = r.endedAt;
    else probes += 1;
  }
  return {
    diedAt,
    inFlight: inFlight.length,
    inFlightFailed: inFlight.filter((r) => r.status >= 500).length,
    attemptsAfter: after.length,
    failedAfter: after.filter((r) => r.status >= 500).length,
    retriedAfter: after.filter((r) => r.status < 500 && r.upstreams.length > 1).length,
    skippedAfterMs: diedAt === null || firstRunEnd === undefined ? null : firstRunEnd - diedAt,
    probesAfterSkip: probes,
  };
}
