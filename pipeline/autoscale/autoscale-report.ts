import type { AggregateStats } from '../../reports/collector/aggregate-stats.js';
import type { ScenarioRecord, ServerSeries } from '../../reports/run-result.js';
import type { ScaleEvent } from './batcher-autoscaler.js';

export interface AutoscaleTrace {
  events: readonly ScaleEvent[];
  /** [Unix ms, serving batchers]. */
  replicas: ReadonlyArray<[number, number]>;
  min: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * The autoscaler's part of the report: serving batchers over time as a server series (the report's server
 * chart), and notes that time its reaction to the load: for each phase named `spike`, how long after the
 * spike began it first scaled out and to how many, how long after the spike ended it was back at min, and
 * the requests shed (429) in each phase of that scenario.
 */
export function autoscaleSeries(trace: AutoscaleTrace, timeOriginMs: number): ServerSeries {
  return {
    component: 'batchers',
    gauge: 'replicas',
    unit: 'batchers',
    points: trace.replicas.map(([t, n]) => [(t - timeOriginMs) / 1000, n]),
  };
}

export function autoscaleNotes(
  trace: AutoscaleTrace,
  timeOriginMs: number,
  scenarios: readonly ScenarioRecord[],
  phases: readonly AggregateStats[],
): string[] {
  const notes: string[] = [];
  const at = (event: ScaleEvent) => (event.atMs - timeOriginMs) / 1000;
  const peak = Math.max(trace.min, ...trace.events.map((e) => e.to));
  notes.push(
    `autoscaler: ${trace.events.length} scaling events, ${trace.min} to ${peak} batchers serving` +
      (trace.events.length > 0
        ? ` (${trace.events.map((e) => `${e.from}->${e.to} at ${at(e).toFixed(1)} s`).join(', ')})`
        : ''),
  );
  for (const scenario of scenarios) {
    const spike = scenario.phases.find((p) => p.name === 'spike');
    if (!spike) continue;
    const endS = spike.startS + spike.durationS;
    const out = trace.events.find((e) => e.to > e.from && at(e) >= spike.startS);
    const back = trace.events.find((e) => e.to === trace.min && at(e) >= endS);
    notes.push(
      `autoscaler, ${scenario.name}: ` +
        (out
          ? `scaled out ${seconds((at(out) - spike.startS) * 1000)} s after the spike began (to ${out.to})`
          : 'did not scale out during or after the spike') +
        '; ' +
        (back
          ? `back at ${trace.min} ${seconds((at(back) - endS) * 1000)} s after it ended`
          : `not back at ${trace.min} by the end of the run`),
    );
    const shed = scenario.phases
      .map((p) => {
        const stats = phases.find((s) => s.scenario === scenario.name && s.phase === p.name);
        return `${p.name} ${stats?.errors.rate_limited ?? 0}`;
      })
      .join(', ');
    notes.push(`requests shed (429) by phase, ${scenario.name}: ${shed}`);
  }
  return notes;
}
