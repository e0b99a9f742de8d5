import type { Verdict } from '../../reports/model/kinds.js';
import { compare } from '../../reports/slo/evaluate-slos.js';
import { STAT_QUANTILE } from '../../reports/slo/slo-schema.js';
import type { Slo, SloStat } from '../experiment/slo.js';
import type { MeasuredRequest } from './measured-request.js';

export interface SloResult {
  id: string;
  slo: Slo;
  /** The measured value (ms, or a fraction for error_rate); null without data. */
  value: number | null;
  /** Requests the value is computed over. */
  n: number;
  verdict: Verdict;
}

export interface SloEvalOptions {
  /** Fewer requests than this make a verdict inconclusive (the value is still shown). */
  minSamples?: number;
}

export const defaultMinSamples = 20;

/**
 * Latency SLOs are computed over successful requests (ttft: those that have one), error_rate over all;
 * percentiles are nearest-rank on the exact values.
 */
export function evaluateSlo(
  slo: Slo,
  requests: readonly MeasuredRequest[],
  options: SloEvalOptions = {},
): SloResult {
  const minSamples = options.minSamples ?? defaultMinSamples;
  if (slo.endpoint !== undefined) requests = requests.filter((r) => r.ep === slo.endpoint);
  let value: number | null;
  let n: number;
  if (slo.metric === 'error_rate') {
    n = requests.length;
    value = n === 0 ? null : requests.filter((r) => !r.ok).length / n;
  } else {
    const values: number[] = [];
    for (const r of requests) {
      if (!r.ok) continue;
      const v = slo.metric === 'e2e' ? r.e2e : r.ttft;
      if (v !== undefined) values.push(v);
    }
    n = values.length;
    value = n === 0 ? null : statOf(values, slo.stat ?? 'p99');
  }
  const verdict =
    value === null || n < minSamples
      ? 'inconclusive'
      : compare(value, slo.op, slo.threshold)
        ? 'pass'
        : 'fail';
  return { id: slo.id, slo, value, n, verdict };
}

export function statOf(values: number[], stat: SloStat): number {
  if (stat === 'mean') return values.reduce((sum, v) => sum + v, 0) / values.length;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(STAT_QUANTILE[stat] * sorted.length) - 1)] as number;
}
