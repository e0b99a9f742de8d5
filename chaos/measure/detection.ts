import type { FaultAction, LinkName, RoleName } from '../experiment/experiment-schema.js';

/** What the detection probe saw a component become. */
export type DetectionSignal = 'ejected' | 'not_live' | 'unregistered' | 'leader_changed';

export interface DetectionObservation {
  /** Unix ms of the poll that saw it. */
  t: number;
  targetId: string;
  signal: DetectionSignal;
  /** `batcher:<id>`, `etcd-registry` or `etcd-status`. */
  source: string;
}

export type DetectionStatus = 'detected' | 'not_detected' | 'not_applicable';

export interface Detection {
  status: DetectionStatus;
  /** From injection until every applicable target had been seen out of routing. */
  afterMs: number | null;
  /** Why detection is not applicable, or which targets were never seen out of routing. */
  note?: string;
}

/** Faults after which the stack should stop routing to the target. */
const routingActions: ReadonlySet<FaultAction> = new Set<FaultAction>([
  'kill',
  'node-kill',
  'freeze',
  'node-freeze',
  'gpu-crash',
  'gpu-hang',
  'gpu-oom',
  'gpu-error-rate',
  'network-partition',
  'network-reset-peer',
]);

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
  if (action === 'etcd-kill-leader') return role === 'etcd' ? ['leader_changed'] : undefined;
  if (!routingActions.has(action)) return undefined;
  if (link === 'gateway->batcher' || link === 'any->etcd') return undefined;
  if (role === 'worker') return ['ejected', 'not_live', 'unregistered'];
  // A batcher leaves the gateway's rotation when its lease expires (or the gateway ejects it, unseen).
  if (role === 'batcher' && link === undefined) return ['unregistered'];
  return undefined;
}

/** When the stack stopped routing to the fault's targets, from the probe's observations. */
export function detectionOf(
  fault: { action: FaultAction; link?: LinkName },
  targets: ReadonlyArray<{ id: string; role: RoleName }>,
  injectedAt: number,
  observations: readonly DetectionObservation[],
): Detection {
  const applicable = targets.flatMap((t) => {
    const signals = detectionSignals(fault.action, t.role, fault.link);
    return signals ? [{ id: t.id, signals }] : [];
  });
  if (applicable.length === 0) {
    return { status: 'not_applicable', afterMs: null, note: notApplicableWhy(fault) };
  }
  let latest = injectedAt;
  const missing: string[] = [];
  for (const target of applicable) {
    let first: number | undefined;
    for (const o of observations) {
      if (o.targetId !== target.id || o.t < injectedAt || !target.signals.includes(o.signal)) continue;
      if (first === undefined || o.t < first) first = o.t;
    }
    if (first === undefined) missing.push(target.id);
    else latest = Math.max(latest, first);
  }
  if (missing.length > 0) {
    return {
      status: 'not_detected',
      afterMs: null,
      note: `never seen out of routing: ${missing.join(', ')}`,
    };
  }
  return { status: 'detected', afterMs: latest - injectedAt };
}

function notApplicableWhy(fault: { action: FaultAction; link?: LinkName }): string {
  if (fault.link === 'gateway->batcher') return 'the gateway exposes no routing state to observe';
  if (
    fault.action === 'gpu-slowdown' ||
    fault.action === 'network-latency' ||
    fault.action === 'network-bandwidth'
  ) {
    return 'routing is not expected to change';
  }
  if (fault.link === 'any->etcd' || fault.action.startsWith('etcd-')) {
    return 'etcd is not on the request path; routing is not expected to change';
  }
  return 'no routing signal for these targets';
}
