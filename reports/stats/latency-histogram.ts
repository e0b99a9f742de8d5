import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

/**
 * Latency histograms: HDR, 3 significant digits, values recorded as integer microseconds so that the
 * 0.01 ms resolution of the samples survives. Histograms merge exactly (`add`) and serialise to the
 * standard compressed base64 form that any HdrHistogram implementation reads back.
 */
export const MICROS_PER_MS = 1000;

/** Start at 60 s and let it grow: a run with a 10-minute timeout still fits, and memory stays small. */
const INITIAL_HIGHEST_US = 60_000_000;

export type LatencyHistogram = Histogram;

export function createLatencyHistogram(): LatencyHistogram {
  return build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a latency in ms; negative or non-finite values (a clock step, a bad line) are not recorded. */
export function recordMs(histogram: LatencyHistogram, ms: number): void {
  if (ms >= 0 && ms < 1e9) histogram.recordValue(Math.round(ms * MICROS_PER_MS));
}

export function encodeHistogram(histogram: LatencyHistogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): LatencyHistogram {
  const histogram = decodeFromCompressedBase64(base64, 32, false);
  histogram.autoResize = true;
  return histogram;
}

/** A new histogram holding the sum of the given ones (they are left unchanged). */
export function mergeHistograms(histograms: Iterable<LatencyHistogram>): LatencyHistogram {
  const out = createLatencyHistogram();
  for (const h of histograms) if (h.totalCount > 0) out.add(h);
  return out;
}
