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
}

export type DetectionStatus = 'detected' | 'not_detected' | 'not_applicable';

export interface Detection {
  status: DetectionStatus;
  /** From injection until every applicable target had been seen out of routing. */
  afterMs: number | null;
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
  const rule = faultRegistry[fault.action].detection;
  if (rule.kind !== 'routing') return rule.why;
  if (fault.link === 'any->etcd') return offRequestPath;
  return 'no routing signal for these targets';
}
