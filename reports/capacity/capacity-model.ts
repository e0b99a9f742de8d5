import type { CapacityModel } from './capacity-result.js';

export interface MeasuredPoint {
  name: string;
  nodes: number;
  gpus: number;
  maxRate: number;
}

/** maxRate = a x gpus^b. */
export interface PowerLaw {
  a: number;
  b: number;
}

/**
 * Least squares on log(rate) = log(a) + b log(gpus). With one GPU count (one point, or several of the same
 * size) the exponent cannot be fitted, so the fit assumes linear scaling (b = 1) from the mean rate per GPU.
 */
export function fitPowerLaw(points: readonly MeasuredPoint[]): PowerLaw {
  const usable = points.filter((p) => p.maxRate > 0 && p.gpus > 0);
  if (usable.length === 0) throw new Error('capacity model: no measured point to fit');
  const xs = usable.map((p) => Math.log(p.gpus));
  const ys = usable.map((p) => Math.log(p.maxRate));
  const mx = mean(xs);
  const my = mean(ys);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  if (sxx === 0) return { a: mean(usable.map((p) => p.maxRate / p.gpus)), b: 1 };
  const sxy = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? 0) - my), 0);
  const b = sxy / sxx;
  return { a: Math.exp(my - b * mx), b };
}

export function predictRate(law: PowerLaw, gpus: number): number {
  return law.a * gpus ** law.b;
}

/**
 * The fit on every measured point, checked on one it did not see: the largest topology is held out, the
 * rest are fitted, and its prediction is compared with its measurement (the error a user can expect when
 * extrapolating up, which is what capacity planning does). Predictions for unmeasured node counts use the
 * fit on every point. undefined without a measured point.
 */
export function buildCapacityModel(
  points: readonly MeasuredPoint[],
  predictNodes: readonly number[] = [1, 2, 3, 4, 6, 8],
): CapacityModel | null {
  if (points.length === 0) return null;
  const law = fitPowerLaw(points);
  const gpusPerNode = Math.max(1, Math.round(mean(points.map((p) => p.gpus / p.nodes))));
  const measured = new Set(points.map((p) => p.gpus));
  let validation: CapacityModel['validation'] = null;
  const sorted = [...points].sort((x, y) => x.gpus - y.gpus);
  const heldOut = sorted.at(-1);
  const rest = sorted.slice(0, -1);
  if (heldOut && rest.length > 0 && rest.some((p) => p.gpus !== heldOut.gpus)) {
    const predicted = predictRate(fitPowerLaw(rest), heldOut.gpus);
    validation = {
      heldOut: heldOut.name,
      fittedOn: rest.map((p) => p.name),
      predicted: round(predicted),
      measured: heldOut.maxRate,
      errorPct: round(((predicted - heldOut.maxRate) / heldOut.maxRate) * 100),
    };
  }
  const single = new Set(points.map((p) => p.gpus)).size === 1;
  return {
    kind: 'power-law',
    formula: `maxRate = ${round(law.a)} x gpus^${round(law.b, 3)}`,
    a: law.a,
    b: law.b,
    fittedOn: points.map((p) => p.name),
    validation,
    predictions: predictNodes
      .map((nodes) => ({ nodes, gpus: nodes * gpusPerNode }))
      .filter((p) => !measured.has(p.gpus))
      .map((p) => ({ ...p, predictedMaxRate: round(predictRate(law, p.gpus)) })),
    note: single
      ? 'A model, not a measurement: one topology size was measured, so linear scaling (b = 1) is assumed and not validated.'
      : `A model, not a measurement: fitted on the measured max rates; ${validation ? `held-out check on ${validation.heldOut}: predicted ${validation.predicted} req/s from the smaller topologies, measured ${validation.measured} req/s (error ${validation.errorPct} %).` : 'no held-out check was possible.'}`,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
