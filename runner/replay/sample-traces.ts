import { lognormal, mulberry32 } from '../../core/random/prng.js';

/** A small synthetic trace, shaped like the public ones: Poisson arrivals with bursts, lognormal lengths. */
export interface SampleTraceOptions {
  seed: number;
  requests: number;
  /** Mean arrivals a second outside bursts. */
  ratePerS: number;
  /** Every this many requests, a burst of `burstSize` arrives within a few ms (0: no bursts). */
  burstEvery: number;
  burstSize: number;
  inputMean: number;
  outputMean: number;
  /** Lengths are clamped to [1, max]. */
  inputMax: number;
  outputMax: number;
}

export const defaultSampleTrace: SampleTraceOptions = {
  seed: 1,
  requests: 40,
  ratePerS: 10,
  burstEvery: 15,
  burstSize: 4,
  inputMean: 300,
  outputMean: 24,
  inputMax: 2048,
  outputMax: 128,
};

export interface SampleRow {
  /** ms after the trace's first request; integral tenths of a microsecond, as Azure's 7-digit fractions. */
  offsetMs: number;
  inputTokens: number;
  outputTokens: number;
}

const tick = (ms: number) => Math.round(ms * 10_000) / 10_000;

export function sampleTraceRows(options: Partial<SampleTraceOptions> = {}): SampleRow[] {
  const o = { ...defaultSampleTrace, ...options };
  const uniform = mulberry32(o.seed);
  const length = (mean: number, max: number) =>
    Math.min(max, Math.max(1, Math.round(lognormal(uniform, mean, mean / 2))));
  const rows: SampleRow[] = [];
  let at = 0;
  while (rows.length < o.requests) {
    const burst = o.burstEvery > 0 && rows.length > 0 && rows.length % o.burstEvery === 0;
    const count = burst ? Math.min(o.burstSize, o.requests - rows.length) : 1;
    for (let i = 0; i < count; i++) {
      rows.push({
        offsetMs: tick(at + i * uniform() * 2),
        inputTokens: length(o.inputMean, o.inputMax),
        outputTokens: length(o.outputMean, o.outputMax),
      });
    }
    // Exponential gaps: a Poisson process at ratePerS.
    at += (-Math.log(1 - uniform()) / o.ratePerS) * 1000;
  }
  return rows.sort((a, b) => a.offsetMs - b.offsetMs);
}

/** Unix ms of the first row in the generated Azure trace (the published code trace's first day). */
export const azureSampleOriginMs = Date.UTC(2023, 10, 16, 18, 15, 46, 680);

function azureTimestamp(unixMs: number): string {
  const wholeMs = Math.floor(unixMs);
  const date = new Date(wholeMs);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const ticks = Math.round((unixMs - Math.floor(unixMs / 1000) * 1000) * 10_000);
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(ticks, 7)}`
  );
}

/** The Azure LLM inference trace format: `TIMESTAMP,ContextTokens,GeneratedTokens`. */
export function toAzureCsv(rows: readonly SampleRow[], originMs = azureSampleOriginMs): string {
  const lines = ['TIMESTAMP,ContextTokens,GeneratedTokens'];
  for (const row of rows)
    lines.push(`${azureTimestamp(originMs + row.offsetMs)},${row.inputTokens},${row.outputTokens}`);
  return `${lines.join('\n')}\n`;
}

/** Mooncake-style JSON Lines: integer ms timestamps and the block hash ids Mooncake traces carry. */
export function toMooncakeJsonl(rows: readonly SampleRow[]): string {
  return rows
    .map((row, i) =>
      JSON.stringify({
        timestamp: Math.round(row.offsetMs),
        input_length: row.inputTokens,
        output_length: row.outputTokens,
        hash_ids: Array.from({ length: Math.ceil(row.inputTokens / 512) }, (_, block) => i * 16 + block),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}
