/**
 * The decisions of the seed's autoscaler, as Kubernetes' HorizontalPodAutoscaler takes them for an
 * average-value metric: desired = ceil(current x observed / target), left alone within a 10 % tolerance,
 * clamped to [min, max]; out at once, in only to the highest recommendation of the stabilization window, so
 * a short dip never removes capacity a spike still needs.
 */
export interface ScalePolicy {
  min: number;
  max: number;
  /** Target average of the signal per serving replica. */
  target: number;
  /** Scale-down stabilization window, ms. */
  scaleInAfterMs: number;
}

/** HPA's default tolerance: no change while observed / target is within 10 % of 1. */
export const tolerance = 0.1;

export function recommendedReplicas(current: number, averageSignal: number, policy: ScalePolicy): number {
  const ratio = averageSignal / policy.target;
  const wanted = Math.abs(ratio - 1) <= tolerance ? current : Math.ceil(current * ratio);
  return Math.min(policy.max, Math.max(policy.min, wanted));
}

export class ScaleDecider {
  /** Recommendations of the window, oldest first: [ms, replicas]. */
  private readonly recent: Array<[number, number]> = [];
  private firstMs: number | undefined;

  constructor(private readonly policy: ScalePolicy) {}

  /** The replica count to run now, given the serving count and the average signal per serving replica. */
  decide(nowMs: number, current: number, averageSignal: number): number {
    this.firstMs ??= nowMs;
    const recommended = recommendedReplicas(current, averageSignal, this.policy);
    this.recent.push([nowMs, recommended]);
    const from = nowMs - this.policy.scaleInAfterMs;
    while (this.recent.length > 1 && (this.recent[0]?.[0] ?? nowMs) < from) this.recent.shift();
    if (recommended >= current) return recommended;
    // A controller that has not watched a whole window yet keeps what it has.
    if (nowMs - this.firstMs < this.policy.scaleInAfterMs) return current;
    const highest = Math.max(...this.recent.map(([, replicas]) => replicas));
    return Math.min(current, highest);
  }
}
