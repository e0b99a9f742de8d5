import type { Slo } from '../slo/slo-schema.js';
import { predictRate } from './capacity-model.js';
import type { CapacityHeadline, CapacityModel, CapacityTopology, CapacityTrial } from './capacity-result.js';

/** How far above the lightest-load p99 latency counts as past the knee. */
export const KNEE_FACTOR = 2;

/**
 * The knee of latency vs offered rate: the lowest offered rate whose p99 e2e is more than KNEE_FACTOR times
 * the p99 at the lightest load measured. Read from the constant-rate trials only (each a sized run).
 */
export function latencyKnee(trials: readonly CapacityTrial[]): CapacityTopology['knee'] {
  const points = trials
    .filter((t) => t.e2eP99 !== null)
    .map((t) => ({ rate: t.offeredRate, p99: t.e2eP99?.value ?? 0 }))
    .sort((a, b) => a.rate - b.rate);
  const first = points[0];
  if (!first || points.length < 2)
    return { rate: null, reason: 'fewer than two trials with a p99 e2e; no knee can be read' };
  const knee = points.find((p) => p.p99 > KNEE_FACTOR * first.p99);
  if (!knee) {
    const last = points.at(-1);
    return {
      rate: null,
      reason: `p99 e2e stayed within ${KNEE_FACTOR}x of its ${num(first.p99)} ms at ${first.rate} req/s up to ${last?.rate} req/s`,
    };
  }
  return {
    rate: knee.rate,
    reason: `p99 e2e ${num(knee.p99)} ms at ${knee.rate} req/s, over ${KNEE_FACTOR}x its ${num(first.p99)} ms at ${first.rate} req/s`,
  };
}

/** Per GPU, relative to the smallest topology with a conclusive max rate: 1 is linear scaling. */
export function scalingEfficiencies(
  topologies: ReadonlyArray<Pick<CapacityTopology, 'gpus' | 'maxRate' | 'conclusive'>>,
): Array<number | null> {
  const base = [...topologies]
    .filter((t) => t.conclusive && t.maxRate !== null && t.maxRate > 0)
    .sort((a, b) => a.gpus - b.gpus)[0];
  return topologies.map((t) =>
    base && t.conclusive && t.maxRate !== null
      ? round(t.maxRate / t.gpus / ((base.maxRate ?? 1) / base.gpus), 3)
      : null,
  );
}

/** The latency SLOs in a few words, e.g. "p99 < 300 ms" when they agree, else each one. */
export function sloPhrase(
  slos: readonly Pick<Slo, 'metric' | 'endpoint' | 'stat' | 'op' | 'threshold'>[],
): string {
  const latency = slos.filter((s) => ['e2e', 'ttft', 'itl', 'tpot'].includes(s.metric));
  const words = latency.map((s) => `${s.stat ?? 'p99'} ${s.op} ${s.threshold} ms`);
  if (words.length > 0 && words.every((w) => w === words[0])) return words[0] ?? '';
  if (words.length > 0)
    return latency
      .map((s) => `${s.endpoint ?? 'all'} ${s.stat ?? 'p99'} ${s.metric} ${s.op} ${s.threshold} ms`)
      .join(', ');
  return 'every SLO';
}

/**
 * "for P req/s at p99 < 300 ms: N nodes (headroom H %)": the smallest measured topology whose conclusive max
 * rate covers the peak (headroom: the share of its max rate left unused at the peak), else the model's
 * smallest node count, said to be a prediction.
 */
export function capacityHeadline(
  peak: number,
  slos: Parameters<typeof sloPhrase>[0],
  topologies: readonly CapacityTopology[],
  model: CapacityModel | null,
): CapacityHeadline {
  const phrase = sloPhrase(slos);
  const enough = [...topologies]
    .filter((t) => t.conclusive && t.maxRate !== null && t.maxRate >= peak)
    .sort((a, b) => a.gpus - b.gpus)[0];
  if (enough && enough.maxRate !== null) {
    const headroomPct = round(((enough.maxRate - peak) / enough.maxRate) * 100, 1);
    return {
      peak,
      nodes: enough.nodes,
      headroomPct,
      source: 'measured',
      sentence: `for ${peak} req/s at ${phrase}: ${enough.nodes} node${enough.nodes === 1 ? '' : 's'} (headroom ${headroomPct} %; measured max ${enough.maxRate} req/s, ${enough.name})`,
    };
  }
  if (model) {
    const perNode = Math.max(1, Math.round(topologies[0] ? topologies[0].gpus / topologies[0].nodes : 2));
    for (let nodes = 1; nodes <= 256; nodes++) {
      const predicted = predictRate(model, nodes * perNode);
      if (predicted >= peak) {
        const headroomPct = round(((predicted - peak) / predicted) * 100, 1);
        return {
          peak,
          nodes,
          headroomPct,
          source: 'model',
          sentence: `for ${peak} req/s at ${phrase}: ${nodes} node${nodes === 1 ? '' : 's'} (headroom ${headroomPct} %) by the model, not measured: no measured topology reached ${peak} req/s`,
        };
      }
    }
  }
  return {
    peak,
    nodes: null,
    headroomPct: null,
    source: 'none',
    sentence: `for ${peak} req/s at ${phrase}: not answered; no topology was measured conclusively${model ? ' and the model needs more than 256 nodes' : ''}`,
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const num = (x: number) => String(round(x, 1));
