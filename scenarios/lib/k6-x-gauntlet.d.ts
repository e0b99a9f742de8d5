// Types for k6/x/gauntlet, Gauntlet's own k6 extension (tools/xk6-gauntlet/gauntlet).

declare module 'k6/x/gauntlet' {
  /**
   * Appends `line` and '\n' to the file named by env GAUNTLET_SAMPLES_FILE (read once per k6 process from
   * the process environment, not from `-e`), in one unbuffered write shared safely by all VUs, so lines
   * survive k6 being killed. No-op when the variable is unset; throws if the file cannot be opened.
   */
  export function record(line: string): void;

  /** Fractional ms on a monotonic clock that starts when the k6 process starts; comparable across VUs. */
  export function monotonicMs(): number;

  /** Wall-clock time as fractional Unix ms. */
  export function nowUnixMs(): number;

  const gauntlet: { record: typeof record; monotonicMs: typeof monotonicMs; nowUnixMs: typeof nowUnixMs };
  export default gauntlet;
}
