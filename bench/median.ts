/** The middle value (the upper middle of an even count); NaN for none. Bench runs use odd counts. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
