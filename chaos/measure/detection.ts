import type { FaultAction, LinkName, RoleName } from '../experiment/experiment-schema.js';
import { offRequestPath } from '../faults/actions/etcd-faults.js';
import { faultRegistry } from '../faults/fault-registry.js';

/** What the detection probe saw a component become. */
export type DetectionSignal = 'ejected' | 'not_live' | 'unregistered' | 'leader_changed';

export interface DetectionObservation {
  /** Unix ms of the poll that saw it. */
  t: number;
  targetId: string;
  signal: DetectionSignal;
  /** `batcher:<id>`, `etcd-registry` or `etcd-status`. */
  source: string;
  /**
   * Since the previous answer from the same source (ms): the change happened in that span. The nominal
   * polling interval when the probe kept its pace; longer when a source stopped answering or the probe
   * itself was starved.
   */
  sinceMs?: number;
}

export type DetectionStatus = 'detected' | 'not_detected' | 'not_applicable';

export interface Detection {
  status: DetectionStatus;
  /**
   * From injection until every router had stopped sending to every applicable target, stamped when the
   * probe saw it: the change happened up to resolutionMs earlier.
   */
  afterMs: number | null;
  /** The probe's polling interval: how much earlier than afterMs the change may have happened. */
  resolutionMs?: number;
  /** Why detection is not applicable, or which targets were never seen out of routing. */
  note?: string;
}

/**
 * The signals that show the stack stopped routing to a target of this fault, or undefined when routing is
 * not expected to change (gpu-slowdown, latency, bandwidth) or cannot be observed (the gateway's choice of
 * batcher on a gateway->batcher link fault; a non-leader etcd member).
 */
export function detectionSignals(
  action: FaultAction,
  role: RoleName,
  link?: LinkName,
): readonly DetectionSignal[] | undefined {
  const rule = faultRegistry[action].detection;
  if (rule.kind === 'leader') return role === 'etcd' ? ['leader_changed'] : undefined;
  if (rule.kind === 'none') return undefined;
  if (link === 'gateway->batcher' || link === 'any->etcd') return undefined;
  if (role === 'worker') return ['ejected', 'not_live', 'unregistered'];
  // A batcher leaves the gateway's rotation when its lease expires (or the gateway ejects it, unseen).
  if (role === 'batcher' && link === undefined) return ['unregistered'];
  return undefined;
}

export interface DetectionOptions {
  /**
   * The routers of worker targets (batcher ids that were up): a worker is out of routing when each of them
   * reported it ejected, not live or gone. Without them, the first signal from any source counts.
   */
  routers?: readonly string[];
  /** The probe's polling interval, stated with the result. */
  resolutionMs?: number;
}

/**
 * When the stack stopped routing to the fault's targets, from the probe's observations: for a worker, when
 * the last of its routers (every batcher) had dropped it; for others, the first signal that shows it.
 */
export function detectionOf(
  fault: { action: FaultAction; link?: LinkName },
  targets: ReadonlyArray<{ id: string; role: RoleName }>,
  injectedAt: number,
  observations: readonly DetectionObservation[],
  options: DetectionOptions = {},
): Detection {
  const applicable = targets.flatMap((t) => {
    const signals = detectionSignals(fault.action, t.role, fault.link);
    return signals ? [{ id: t.id, signals }] : [];
  });
  if (applicable.length === 0) {
    return { status: 'not_applicable', afterMs: null, note: notApplicableWhy(fault) };
  }
  const resolution = options.resolutionMs === undefined ? {} : { resolutionMs: options.resolutionMs };
  let latestSince = 0;
  const firstSeen = (id: string, signals: readonly DetectionSignal[], source?: string) => {
    let first: DetectionObservation | undefined;
    for (const o of observations) {
      if (o.targetId !== id || o.t < injectedAt || !signals.includes(o.signal)) continue;
      if (source !== undefined && o.source !== source) continue;
      if (first === undefined || o.t < first.t) first = o;
    }
    return first;
  };
  const at = (o: DetectionObservation | undefined) => {
    if (o === undefined) return undefined;
    if (o.t >= latest) latestSince = o.sinceMs ?? 0;
    return o.t;
  };
  let latest = injectedAt;
  const missing: string[] = [];
  let byRouters = false;
  for (const target of applicable) {
    const role = targets.find((t) => t.id === target.id)?.role;
    const routers = role === 'worker' ? (options.routers ?? []) : [];
    if (routers.length > 0) byRouters = true;
    if (routers.length === 0) {
      const first = at(firstSeen(target.id, target.signals));
      if (first === undefined) missing.push(target.id);
      else latest = Math.max(latest, first);
      continue;
    }
    for (const router of routers) {
      const first = at(firstSeen(target.id, target.signals, `batcher:${router}`));
      if (first === undefined) missing.push(`${target.id} (still routed by ${router})`);
      else latest = Math.max(latest, first);
    }
  }
  const how =
    options.resolutionMs === undefined ? '' : `; stamped when seen, probe every ${options.resolutionMs} ms`;
  if (missing.length > 0) {
    return {
      status: 'not_detected',
      afterMs: null,
      ...resolution,
      note: `never seen out of routing: ${missing.join(', ')}${how}`,
    };
  }
  // The observation that completed detection came this long after the previous answer of its source:
  // when that gap is wider than the polling interval (a starved probe, a source not answering), the
  // detection time is that much less precise, and says so.
  const wider = latestSince > (options.resolutionMs ?? 0) ? { resolutionMs: Math.round(latestSince) } : {};
  const gap =
    wider.resolutionMs === undefined ? '' : `; its source last answered ${wider.resolutionMs} ms before`;
  const note = `${byRouters ? `out of every router's rotation${how}` : how.slice(2)}${gap}`;
  return {
    status: 'detected',
    afterMs: latest - injectedAt,
    ...resolution,
    ...wider,
    ...(note ? { note } : {}),
  };
}

function notApplicableWhy(fault: { action: FaultAction; link?: LinkName }): string {
  if (fault.link === 'gateway->batcher') return 'the gateway exposes no routing state to observe';
  const rule = faultRegistry[fault.action].detection;
  if (rule.kind !== 'routing') return rule.why;
  if (fault.link === 'any->etcd') return offRequestPath;
  return 'no routing signal for these targets';
}
