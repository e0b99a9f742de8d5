/**
 * Seeded randomness for reproducible load: every random choice of a request (endpoint, prompt length,
 * prompt words) is a pure function of the run's SEED, a stream name and the request's iteration number, so
 * two runs with the same SEED send the same requests whatever VU happens to run them.
 */

/** FNV-1a of a string, for turning names (scenario, phase, stream) into seed parts. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes integers into one 32-bit seed (murmur3's finalizer per part), so that neighbouring iterations
 * get unrelated streams rather than shifted copies of one another. */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    // Parts may exceed 32 bits (iteration numbers of long soaks): fold the high half in too.
    const low = part >>> 0;
    const high = Math.floor(part / 4294967296) >>> 0;
    h = fmix(h ^ fmix(low + 0x7f4a7c15));
    if (high !== 0) h = fmix(h ^ fmix(high + 0x2545f491));
  }
  return h >>> 0;
}

function fmix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * mulberry32 as raw 32-bit outputs: the one implementation of the generator. Token streams take these
 * modulo their vocabulary; everything else wants the floats of `mulberry32`.
 */
export function mulberry32Uint32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** mulberry32: a uniform generator in [0, 1); small and fast, plenty for load shapes. */
export function mulberry32(seed: number): () => number {
  const next = mulberry32Uint32(seed);
  return () => next() / 4294967296;
}

/** A standard normal draw (Box-Muller); `1 - u` keeps the logarithm away from 0. */
export function standardNormal(uniform: () => number): number {
  const u1 = 1 - uniform();
  const u2 = uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A lognormal draw with the given mean and standard deviation of the *result* (not of its logarithm):
 * sigma^2 = ln(1 + sd^2 / mean^2), mu = ln(mean) - sigma^2 / 2. With sd 0 it returns the mean.
 */
export function lognormal(uniform: () => number, mean: number, sd: number): number {
  if (sd <= 0) return mean;
  const sigma2 = Math.log(1 + (sd * sd) / (mean * mean));
  const mu = Math.log(mean) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * standardNormal(uniform));
}
