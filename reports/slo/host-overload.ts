/**
 * When the stack's own host was too busy to be judged. Each reference service measures how late its
 * timers fire (event-loop delay, stack/runtime/event-loop-monitor.ts) and exports the largest delay of its
 * scrape windows of the last 3 s (held so that a scrape lost to the starvation itself hides nothing); a delay
 * above the bound means the process waited for CPU, so latency measured then is the host's, not the
 * stack's, and a latency verdict over that time is inconclusive, not fail.
 */

/** Event-loop delay above which a service counts as starved (ms). A healthy Node service stays under ~20. */
export const MAX_EVENT_LOOP_DELAY_MS = 100;

/** The run.json server series (one per component) of the largest event-loop delay per scrape, in ms. */
export const EVENT_LOOP_DELAY_GAUGE = 'event_loop_delay_max';

/** Seconds after the run's time origin. */
export interface TimeSpan {
  fromS: number;
  toS: number;
}

export interface HostOverload extends TimeSpan {
  /** The service (`gateway`, `batcher-1`, ...) whose event loop was late. */
  service: string;
  /** The largest delay seen in the span (ms). */
  maxDelayMs: number;
}

/** One scraped value of a service's largest event-loop delay (its scrape windows of the last 3 s). */
export interface DelayPoint {
  service: string;
  /** Seconds after the time origin of the scrape. */
  t: number;
  maxDelayMs: number;
}

/**
 * Spans where a service's event-loop delay was over the bound: each over-limit scrape covers the interval
 * since the service's previous scrape (the delay it reports is the largest of that interval); adjacent
 * ones merge.
 */
export function hostOverloads(
  points: readonly DelayPoint[],
  intervalS: number,
  limitMs = MAX_EVENT_LOOP_DELAY_MS,
): HostOverload[] {
  const byService = new Map<string, DelayPoint[]>();
  for (const p of points) byService.set(p.service, [...(byService.get(p.service) ?? []), p]);
  const out: HostOverload[] = [];
  for (const [service, list] of byService) {
    const sorted = [...list].sort((a, b) => a.t - b.t);
    let open: HostOverload | undefined;
    let prevT: number | undefined;
    for (const p of sorted) {
      const fromS = prevT ?? p.t - intervalS;
      prevT = p.t;
      if (p.maxDelayMs <= limitMs) {
        open = undefined;
        continue;
      }
      if (open) {
        open.toS = p.t;
        open.maxDelayMs = Math.max(open.maxDelayMs, p.maxDelayMs);
      } else {
        open = { service, fromS, toS: p.t, maxDelayMs: p.maxDelayMs };
        out.push(open);
      }
    }
  }
  return out.sort((a, b) => a.fromS - b.fromS);
}

/** Why a span's latency cannot be judged (an overload overlaps it), or null. */
export function overloadDuring(
  overloads: readonly HostOverload[],
  span: TimeSpan,
  limitMs = MAX_EVENT_LOOP_DELAY_MS,
): string | null {
  const hits = overloads.filter((o) => o.fromS < span.toS && o.toS > span.fromS);
  if (hits.length === 0) return null;
  const worst = hits.reduce((a, b) => (b.maxDelayMs > a.maxDelayMs ? b : a));
  const services = [...new Set(hits.map((h) => h.service))].join(', ');
  return `the stack's host was overloaded: event-loop delay of ${services} up to ${Math.round(worst.maxDelayMs)} ms (bound ${limitMs} ms) at ${round1(worst.fromS)}-${round1(worst.toS)} s; latency then is the host's CPU, not the stack's`;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** The overloads in a run's server series (event_loop_delay_max, one series per component). */
export function overloadsInSeries(
  series: ReadonlyArray<{
    component: string;
    gauge: string;
    points: ReadonlyArray<readonly [number, number]>;
  }>,
  intervalS: number,
  limitMs = MAX_EVENT_LOOP_DELAY_MS,
): HostOverload[] {
  const points = series
    .filter((s) => s.gauge === EVENT_LOOP_DELAY_GAUGE)
    .flatMap((s) => s.points.map(([t, v]) => ({ service: s.component, t, maxDelayMs: v })));
  return hostOverloads(points, intervalS, limitMs);
}
