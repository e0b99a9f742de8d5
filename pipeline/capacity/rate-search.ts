/** What one constant-rate trial decided: every SLO passed with confidence, one failed, or not decided. */
export type TrialVerdict = 'pass' | 'fail' | 'inconclusive';

export interface RateSearchOptions<T> {
  /** The first rate tried (req/s), e.g. just under the rate at which a ramp broke. */
  startRate: number;
  /** The search stops when the pass and the next non-pass are at most this far apart (req/s, >= 1). */
  resolution: (rate: number) => number;
  /** After a pass with no non-pass above it yet, the next rate is this many times the pass (> 1). */
  growth: number;
  /** After a non-pass with no pass below it yet, the next rate is this many times it (in (0, 1)). */
  shrink: number;
  minRate: number;
  maxRate: number;
  /** Most trials in all. */
  maxTrials: number;
  /**
   * Runs one trial at `rate`; undefined when it could not be run (the budget is spent, an interrupt), which
   * ends the search with what it has.
   */
  trial: (rate: number) => Promise<{ verdict: TrialVerdict; detail: T } | undefined>;
}

export interface SearchTrial<T> {
  rate: number;
  verdict: TrialVerdict;
  detail: T;
}

export interface RateSearchOutcome<T> {
  /** The highest rate that passed below the lowest rate that did not; null when nothing passed. */
  maxRate: number | null;
  /** The lowest rate above maxRate that failed or was inconclusive; null when none was found. */
  nextRate: number | null;
  /** nextRate - maxRate: what the answer is accurate to; null unless both exist. */
  resolution: number | null;
  /** Whether the bracket reached the resolution asked for. */
  converged: boolean;
  trials: Array<SearchTrial<T>>;
  /** Why the search stopped before converging, in words; undefined when it converged. */
  stoppedBecause: string | undefined;
}

/**
 * The highest sustained rate at which a trial passes: grow from the start rate until a trial does not pass
 * (or shrink until one does), then bisect between the highest pass and the lowest non-pass above it until
 * they are within the resolution. The answer is a pass at R and a non-pass at the next step, each a trial
 * of its own, never an extrapolation. Rates are whole requests a second. A pass above a non-pass (noise)
 * does not move the answer above that non-pass: the bracket is always [highest pass below the lowest
 * non-pass, that non-pass].
 */
export async function searchMaxRate<T>(options: RateSearchOptions<T>): Promise<RateSearchOutcome<T>> {
  validate(options);
  const trials: Array<SearchTrial<T>> = [];
  let stoppedBecause: string | undefined;
  const bracket = () => bracketOf(trials);
  let rate = clampRate(options.startRate, options);
  while (true) {
    if (trials.length >= options.maxTrials) {
      stoppedBecause = `the most trials allowed (${options.maxTrials}) were run`;
      break;
    }
    if (trials.some((t) => t.rate === rate)) break;
    const result = await options.trial(rate);
    if (!result) {
      stoppedBecause = 'a trial could not be run (budget or interrupt)';
      break;
    }
    trials.push({ rate, ...result });
    const { pass, nonPass } = bracket();
    if (pass !== null && nonPass !== null) {
      if (nonPass - pass <= Math.max(1, options.resolution(pass))) break;
      const mid = Math.round((pass + nonPass) / 2);
      if (mid <= pass || mid >= nonPass) break;
      rate = mid;
    } else if (pass !== null) {
      if (pass >= options.maxRate) {
        stoppedBecause = `every rate up to the search's ceiling (${options.maxRate} req/s) passed`;
        break;
      }
      rate = clampRate(Math.max(pass + 1, pass * options.growth), options);
    } else {
      const low = nonPass ?? rate;
      if (low <= options.minRate) {
        stoppedBecause = `no rate down to the search's floor (${options.minRate} req/s) passed`;
        break;
      }
      rate = clampRate(Math.min(low - 1, low * options.shrink), options);
    }
  }
  const { pass, nonPass } = bracket();
  const resolution = pass !== null && nonPass !== null ? nonPass - pass : null;
  const converged = resolution !== null && resolution <= Math.max(1, options.resolution(pass ?? 0));
  return {
    maxRate: pass,
    nextRate: nonPass,
    resolution,
    converged,
    trials,
    stoppedBecause: converged ? undefined : (stoppedBecause ?? 'the bracket could not be narrowed further'),
  };
}

/** The lowest non-pass, and the highest pass below it (or the highest pass when nothing failed). */
export function bracketOf(trials: ReadonlyArray<{ rate: number; verdict: TrialVerdict }>): {
  pass: number | null;
  nonPass: number | null;
} {
  const nonPasses = trials.filter((t) => t.verdict !== 'pass').map((t) => t.rate);
  const nonPass = nonPasses.length > 0 ? Math.min(...nonPasses) : null;
  const passes = trials
    .filter((t) => t.verdict === 'pass' && (nonPass === null || t.rate < nonPass))
    .map((t) => t.rate);
  return { pass: passes.length > 0 ? Math.max(...passes) : null, nonPass };
}

function clampRate(rate: number, options: { minRate: number; maxRate: number }): number {
  return Math.min(options.maxRate, Math.max(options.minRate, Math.round(rate)));
}

function validate(options: RateSearchOptions<unknown>): void {
  const { startRate, growth, shrink, minRate, maxRate, maxTrials } = options;
  if (!(minRate >= 1) || !(maxRate >= minRate))
    throw new Error(`rate search: need 1 <= minRate <= maxRate (got ${minRate}, ${maxRate})`);
  if (!(startRate > 0)) throw new Error(`rate search: startRate must be > 0 (got ${startRate})`);
  if (!(growth > 1)) throw new Error(`rate search: growth must be > 1 (got ${growth})`);
  if (!(shrink > 0 && shrink < 1)) throw new Error(`rate search: shrink must be in (0, 1) (got ${shrink})`);
  if (!(maxTrials >= 1)) throw new Error(`rate search: maxTrials must be >= 1 (got ${maxTrials})`);
}
