import type { RunResult, SloVerdictRecord } from '../run-result.js';
import { EVENT_LOOP_DELAY_GAUGE, MAX_EVENT_LOOP_DELAY_MS } from '../slo/host-overload.js';
import { quantileWithCi } from '../stats/intervals.js';
import { decodeHistogram, mergeHistograms } from '../stats/latency-histogram.js';
import { RankedHistogram } from '../stats/ranked-histogram.js';
import { compareRuns, type MetricComparison, type RunComparison } from './compare-runs.js';

export type ReproOutcome = 'reproduced' | 'not reproduced' | 'inconclusive';

/**
 * Each endpoint's statistics whose resolution repro reports; `required` ones must be resolved within the
 * tolerance before two runs can be called the same. The tail (p95) is reported, not required: a p95
 * interval within 10 % needs thousands of samples on a noisy host, and a tail that moved significantly
 * still makes the outcome "not reproduced".
 */
export const BODY_STATISTICS = [
  { metric: 'e2e', stat: 'p50', required: true },
  { metric: 'e2e', stat: 'p95', required: false },
] as const;

/** The phase scenarios open with; its requests meet a cold stack and are left out of the latency comparison. */
export const WARMUP_PHASE = 'warmup';

export interface SloChange {
  id: string;
  original: SloVerdictRecord['verdict'];
  rerun: SloVerdictRecord['verdict'] | 'missing';
  /** pass <-> fail: both sides decided, differently. */
  decisive: boolean;
}

export interface Resolution {
  endpoint: string;
  metric: string;
  stat: string;
  /** The largest relative change the two intervals could hide; null: no interval in one of the runs. */
  hidden: number | null;
  resolved: boolean;
  /** Must be resolved for "reproduced" (see BODY_STATISTICS). */
  required: boolean;
}

export interface ReproVerdict {
  outcome: ReproOutcome;
  /** One sentence per finding, the deciding ones first. */
  reasons: string[];
  comparison: RunComparison;
  /** Differences that count (significant, and not explained by a late generator or a busy host). */
  differences: MetricComparison[];
  sloChanges: SloChange[];
  resolution: Resolution[];
}

export interface ReproOptions {
  /** Smallest relative change that counts (compare's tolerance), 0.1 = 10 %. */
  tolerance?: number;
}

/**
 * Whether `rerun` reproduced `original`. Latency is compared without the warm-up phase. Precisely:
 *
 * - **not reproduced** when a statistic differs significantly by `compare`'s rule (p50/p95/p99 of e2e,
 *   TTFT and ITL per endpoint and over all, error rate, throughput: the two 95 % intervals do not overlap
 *   AND the point estimates differ by more than the tolerance), or an SLO verdict flipped between pass and
 *   fail. A latency difference does not count (it makes the outcome inconclusive instead) when the gap
 *   between the two intervals could be the harness's doing: the run that looks faster had a generator
 *   that fell behind (its figures are lower bounds) and its statistic could truly reach the other run's
 *   interval (lowerBoundRunCeilingMs: its dropped iterations and scheduling lag accounted for), or the run
 *   that looks slower had an overloaded host (event-loop delay over 100 ms) and the gap is no larger than
 *   that delay.
 * - **reproduced** when nothing differs, every SLO has the same verdict in both runs, both runs are
 *   complete with their generators on schedule, and the distribution's body is resolved: for the e2e p50
 *   of each endpoint, the two intervals are narrow enough that a change beyond the tolerance would have
 *   separated them (the upper half of one plus the lower half of the other, relative to the estimates,
 *   is within the tolerance, in both directions). "Not significantly different" alone would also hold
 *   for two runs too small to show anything.
 * - **inconclusive** otherwise, with the reasons.
 */
export function reproVerdict(
  original: RunResult,
  rerun: RunResult,
  options: ReproOptions = {},
): ReproVerdict {
  const tolerance = options.tolerance ?? 0.1;
  const comparison = compareRuns(measured(original), measured(rerun), { tolerance });
  const decisive: string[] = [];
  const weak: string[] = [];
  const differences: MetricComparison[] = [];

  for (const c of comparison.comparisons) {
    if (c.verdict !== 'regression' && c.verdict !== 'improvement') continue;
    const why = differenceExcuse(c, original, rerun);
    const what = `${label(c)}: ${describeChange(c)}`;
    if (why) weak.push(`${what}, but ${why}`);
    else {
      differences.push(c);
      decisive.push(`${what} (${c.verdict === 'regression' ? 'worse' : 'better'} in the rerun)`);
    }
  }

  const sloChanges = sloVerdictChanges(original, rerun);
  for (const change of sloChanges) {
    const text = `SLO ${change.id}: ${change.original} originally, ${change.rerun} in the rerun`;
    (change.decisive ? decisive : weak).push(text);
  }

  for (const [name, run] of [
    ['original', original],
    ['rerun', rerun],
  ] as const) {
    if (!run.complete) weak.push(`the ${name} run is incomplete (it was aborted)`);
    if (run.collection.loadGeneratorBehind)
      weak.push(`the ${name} run's latency is a lower bound: ${run.collection.loadGeneratorBehind}`);
  }

  const resolution = bodyResolution(comparison, tolerance);
  for (const r of resolution) {
    if (r.resolved || !r.required) continue;
    weak.push(
      r.hidden === null
        ? `${r.stat} ${r.metric} (${r.endpoint}) has no confidence interval in one of the runs: too few samples to compare`
        : `${r.stat} ${r.metric} (${r.endpoint}): the intervals could hide a change of ${pct(r.hidden)}, more than the ${pct(tolerance)} tolerance; a longer run would decide`,
    );
  }
  if (resolution.length === 0) weak.push('neither run has successful requests to compare');

  const outcome: ReproOutcome =
    decisive.length > 0 ? 'not reproduced' : weak.length > 0 ? 'inconclusive' : 'reproduced';
  const reasons =
    outcome === 'reproduced'
      ? [
          `no statistic differs beyond the ${pct(tolerance)} tolerance with non-overlapping 95 % intervals, every SLO verdict is the same, and ${resolution
            .filter((r) => r.required)
            .map((r) => `${r.stat} ${r.metric} (${r.endpoint}) is resolved to ${pct(r.hidden ?? 0)}`)
            .join(' and ')}`,
        ]
      : [...decisive, ...weak];
  return { outcome, reasons, comparison, differences, sloChanges, resolution };
}

/** The run without its warm-up requests' latency (their counts stay in the error-rate and throughput figures). */
function measured(run: RunResult): RunResult {
  const kept = run.histograms.filter((h) => h.phase !== WARMUP_PHASE);
  return kept.length > 0 ? { ...run, histograms: kept } : run;
}

/** Seconds after the time origin where the measured (non-warm-up) phases begin. */
function measuredFromS(run: RunResult): number {
  const starts = run.scenarios.flatMap((s) =>
    s.phases.filter((p) => p.name !== WARMUP_PHASE).map((p) => p.startS),
  );
  return starts.length > 0 ? Math.min(...starts) : Number.NEGATIVE_INFINITY;
}

const STAT_Q: Record<string, number> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/**
 * The highest a late run's statistic could truly be (ms), or +Infinity when nothing bounds it. Its
 * requests started up to its largest scheduling lag late, which adds at most that lag; and the d
 * iterations it dropped (n started) were never measured: were they all slower than every measured one,
 * the true q-quantile would be the measured q(1 + d/n)-quantile. So: the upper confidence bound of the
 * measured q(1 + d/n)-quantile plus the largest lag.
 */
export function lowerBoundRunCeilingMs(run: RunResult, c: MetricComparison): number {
  const q = c.stat ? STAT_Q[c.stat] : undefined;
  if (q === undefined) return Number.POSITIVE_INFINITY;
  // Iterations the generator started; older files lack the count, and then every sample is one.
  const counted = run.scenarios.every((s) => s.iterations !== undefined);
  const started = counted
    ? run.scenarios.reduce((sum, s) => sum + (s.iterations ?? 0), 0)
    : run.collection.samples;
  const dropped = run.scenarios.reduce((sum, s) => sum + s.droppedIterations, 0);
  if (started <= 0 && dropped > 0) return Number.POSITIVE_INFINITY;
  const shifted = dropped > 0 ? q * (1 + dropped / started) : q;
  const parts = measured(run).histograms.filter(
    (h) => h.metric === c.metric && (c.endpoint === 'all' || h.endpoint === c.endpoint),
  );
  if (parts.length === 0 || shifted >= 1) return Number.POSITIVE_INFINITY;
  const ranked = new RankedHistogram(mergeHistograms(parts.map((h) => decodeHistogram(h.data))));
  const ci = ranked.n > 0 ? quantileWithCi(ranked, shifted).ci : null;
  if (!ci) return Number.POSITIVE_INFINITY;
  const lag = Math.max(0, ...run.scenarios.map((s) => s.maxSchedulingLagMs ?? 0));
  return ci[1] + lag;
}

/** Why a significant difference might not be the stack's doing, or null when it counts. */
function differenceExcuse(c: MetricComparison, original: RunResult, rerun: RunResult): string | null {
  if (!c.base || !c.next) return null;
  const rerunHigher = c.next.value > c.base.value;
  if (c.unit === 'ms') {
    const gap = rerunHigher ? c.next.ci[0] - c.base.ci[1] : c.base.ci[0] - c.next.ci[1];
    // A late generator only hides latency: the run that looks faster may be a lower bound.
    const faster = rerunHigher ? original : rerun;
    const slowerLow = rerunHigher ? c.next.ci[0] : c.base.ci[0];
    if (faster.collection.loadGeneratorBehind) {
      const ceiling = lowerBoundRunCeilingMs(faster, c);
      if (ceiling >= slowerLow)
        return `the ${faster === original ? 'original' : 'rerun'} run's generator fell behind, so its latency is a lower bound: ${Number.isFinite(ceiling) ? `it could truly be up to ${ceiling.toFixed(1)} ms` : 'nothing bounds it'}, which would explain the difference`;
    }
    const slower = rerunHigher ? rerun : original;
    const delay = maxHostDelayMs(slower, measuredFromS(slower));
    if (delay > MAX_EVENT_LOOP_DELAY_MS && gap <= delay)
      return `the ${slower === original ? 'original' : 'rerun'} run's host was busy (event-loop delay up to ${delay.toFixed(0)} ms, more than the ${gap.toFixed(1)} ms between the intervals)`;
  }
  if (
    c.metric === 'throughput' &&
    (original.collection.loadGeneratorBehind || rerun.collection.loadGeneratorBehind)
  )
    return 'a generator fell behind its schedule, which alone lowers throughput';
  return null;
}

/** The largest event-loop delay any service reported from fromS on (ms); 0 without those series. */
export function maxHostDelayMs(run: RunResult, fromS = Number.NEGATIVE_INFINITY): number {
  let max = 0;
  for (const series of run.serverMetrics.series) {
    if (series.gauge !== EVENT_LOOP_DELAY_GAUGE) continue;
    for (const [t, value] of series.points) if (t >= fromS && value > max) max = value;
  }
  return max;
}

function sloVerdictChanges(original: RunResult, rerun: RunResult): SloChange[] {
  const out: SloChange[] = [];
  const rerunById = new Map(rerun.slos.map((s) => [s.id, s.verdict]));
  for (const slo of original.slos) {
    const after = rerunById.get(slo.id) ?? 'missing';
    if (after === slo.verdict) continue;
    if (slo.verdict === 'not_applicable' && after === 'missing') continue;
    const decided = (v: string) => v === 'pass' || v === 'fail';
    out.push({
      id: slo.id,
      original: slo.verdict,
      rerun: after,
      decisive: decided(slo.verdict) && decided(after),
    });
  }
  return out;
}

/**
 * Each endpoint's body statistics. Per endpoint, not over all of them: a mix of endpoints is a mixture of
 * distributions, and its median can sit in the gap between two modes, where its interval is wide for
 * reasons that say nothing about either endpoint.
 */
function bodyResolution(comparison: RunComparison, tolerance: number): Resolution[] {
  const endpoints = [
    ...new Set(comparison.comparisons.filter((c) => c.endpoint !== 'all').map((c) => c.endpoint)),
  ];
  return endpoints.flatMap((endpoint) =>
    BODY_STATISTICS.map(({ metric, stat, required }) => {
      const c = comparison.comparisons.find(
        (x) => x.endpoint === endpoint && x.metric === metric && x.stat === stat,
      );
      if (!c?.base || !c.next || c.base.value <= 0 || c.next.value <= 0)
        return { endpoint, metric, stat, hidden: null, resolved: false, required };
      const { base, next } = c;
      const up = (base.ci[1] - base.value) / base.value + (next.value - next.ci[0]) / next.value;
      const down = (base.value - base.ci[0]) / base.value + (next.ci[1] - next.value) / next.value;
      const hidden = Math.max(up, down);
      return { endpoint, metric, stat, hidden, resolved: hidden <= tolerance, required };
    }),
  );
}

function label(c: MetricComparison): string {
  const where = c.endpoint === 'all' ? 'all endpoints' : c.endpoint;
  return `${c.stat ? `${c.stat} ` : ''}${c.metric} (${where})`;
}

function describeChange(c: MetricComparison): string {
  const fmt = (x: number) =>
    c.unit === 'ms' ? `${x.toFixed(1)} ms` : c.unit === 'fraction' ? pct(x) : x.toFixed(2);
  if (!c.base || !c.next) return c.reason;
  return `${fmt(c.base.value)} [${fmt(c.base.ci[0])}, ${fmt(c.base.ci[1])}] -> ${fmt(c.next.value)} [${fmt(c.next.ci[0])}, ${fmt(c.next.ci[1])}]`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
