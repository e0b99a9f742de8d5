import { open } from 'node:fs/promises';
import { mulberry32 } from '../../core/random/prng.js';
import type { Endpoint } from '../model/kinds.js';
import type { ErrorKind, RequestSample } from '../model/request-sample.js';

/** A stretch of the run where a (simulated) fault changes error rate and latency. */
export interface SyntheticFault {
  fromS: number;
  toS: number;
  errorRate: number;
  latencyScale: number;
}

export interface SyntheticSampleOptions {
  samples: number;
  /** Same seed, same samples. */
  seed?: number;
  startMs?: number;
  /** Mean arrival rate of the open-model (Poisson) schedule. */
  ratePerS?: number;
  scenario?: string;
  /** Phases in order, each a fraction of the samples. */
  phases?: Array<{ name: string; fraction: number }>;
  endpointMix?: Partial<Record<Endpoint, number>>;
  /** Multiplies every latency (TTFT, ITL, e2e): 1.3 plants a 30 % slowdown. */
  latencyScale?: number;
  errorRate?: number;
  faults?: SyntheticFault[];
  idPrefix?: string;
}

const DEFAULT_MIX: Record<Endpoint, number> = { infer: 0.4, chat: 0.2, chat_stream: 0.3, completions: 0.1 };

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Realistic-looking request samples as the k6 scenarios write them: Poisson arrivals, a mix of endpoints,
 * log-normal latencies (TTFT ~30 ms, ITL ~4 ms a token, infer ~40 ms), 8-128 output tokens with an ITL
 * array for streamed chat, a few errors of every kind (timeouts, connection errors, cut streams), and
 * faults that raise error rate and latency in a window. For tests and the collector benchmark.
 */
export function* syntheticSamples(options: SyntheticSampleOptions): Generator<RequestSample> {
  const random = mulberry32(options.seed ?? 1);
  const normal = () => {
    // Box-Muller; 1 - u keeps log() finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * normal());
  const intBetween = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

  const startMs = options.startMs ?? 1_700_000_000_000;
  const rate = options.ratePerS ?? 200;
  const scenario = options.scenario ?? 'load';
  const phases = options.phases ?? [
    { name: 'warmup', fraction: 0.1 },
    { name: 'steady', fraction: 0.9 },
  ];
  const mix = { ...DEFAULT_MIX, ...options.endpointMix };
  const mixTotal = mix.infer + mix.chat + mix.chat_stream + mix.completions;
  const baseScale = options.latencyScale ?? 1;
  const baseErrorRate = options.errorRate ?? 0.0005;
  const idPrefix = options.idPrefix ?? 'req';

  let t = startMs;
  let phaseIndex = 0;
  let phaseEnd = Math.round((phases[0]?.fraction ?? 1) * options.samples);
  for (let i = 0; i < options.samples; i++) {
    while (i >= phaseEnd && phaseIndex < phases.length - 1) {
      phaseIndex++;
      phaseEnd += Math.round((phases[phaseIndex]?.fraction ?? 0) * options.samples);
    }
    t += (-Math.log(1 - random()) * 1000) / rate;
    const sinceStartS = (t - startMs) / 1000;
    const fault = options.faults?.find((f) => sinceStartS >= f.fromS && sinceStartS < f.toS);
    const scale = baseScale * (fault?.latencyScale ?? 1);
    const errorRate = fault?.errorRate ?? baseErrorRate;

    let pick = random() * mixTotal;
    let ep: Endpoint = 'completions';
    for (const candidate of ['infer', 'chat', 'chat_stream', 'completions'] as const) {
      pick -= mix[candidate];
      if (pick < 0) {
        ep = candidate;
        break;
      }
    }
    const streamed = ep === 'chat_stream';
    const out = ep === 'infer' ? intBetween(16, 64) : intBetween(8, 128);
    const sample: RequestSample = {
      id: `${idPrefix}-${i}`,
      sc: scenario,
      ph: phases[phaseIndex]?.name ?? 'steady',
      ep,
      t0: round2(t),
      st: 200,
      ok: 1,
      e2e: 0,
      out,
      in: intBetween(20, 400),
      q: intBetween(0, 8),
      bs: intBetween(1, 16),
      w: `worker-${intBetween(0, 3)}`,
      b: 'batcher-0',
      a: 1,
    };
    if (streamed) {
      const ttft = logNormal(30, 0.4) * scale;
      const itl: number[] = new Array(Math.max(0, out - 1));
      let sum = 0;
      for (let k = 0; k < itl.length; k++) {
        const gap = round2(logNormal(4, 0.25) * scale);
        itl[k] = gap;
        sum += gap;
      }
      sample.ttft = round2(ttft);
      sample.itl = itl;
      sample.e2e = round2(ttft + sum + 0.3);
    } else if (ep === 'infer') {
      sample.e2e = round2(logNormal(40, 0.35) * scale);
    } else {
      sample.e2e = round2((logNormal(25, 0.35) + out * logNormal(4, 0.15)) * scale);
    }

    if (random() < errorRate) {
      const kinds: ErrorKind[] = streamed
        ? ['stream_cut', 'server_error', 'timeout', 'connection', 'rate_limited']
        : ['server_error', 'timeout', 'connection', 'rate_limited', 'client_error'];
      const err = kinds[Math.floor(random() * kinds.length)] ?? 'server_error';
      sample.ok = 0;
      sample.err = err;
      delete sample.itl;
      switch (err) {
        case 'stream_cut': {
          // Started streaming, then the connection went: TTFT seen, part of the tokens.
          sample.out = Math.max(1, Math.floor(out / 3));
          sample.e2e = round2((sample.ttft ?? 30) + sample.out * 4 * scale);
          break;
        }
        case 'timeout':
          sample.st = 0;
          sample.out = 0;
          sample.e2e = 30_000;
          delete sample.ttft;
          break;
        case 'connection':
          sample.st = 0;
          sample.out = 0;
          sample.e2e = round2(logNormal(1, 0.5));
          delete sample.ttft;
          break;
        case 'rate_limited':
          sample.st = 429;
          sample.out = 0;
          sample.e2e = round2(logNormal(2, 0.3));
          delete sample.ttft;
          break;
        case 'client_error':
          sample.st = 400;
          sample.out = 0;
          sample.e2e = round2(logNormal(2, 0.3));
          delete sample.ttft;
          break;
        default:
          sample.st = 503;
          sample.out = 0;
          sample.e2e = round2(logNormal(5, 0.3));
          delete sample.ttft;
      }
    }
    yield sample;
  }
}

/** Writes the samples as NDJSON in ~1 MB writes (memory stays flat for millions of samples). */
export async function writeSyntheticSamples(file: string, options: SyntheticSampleOptions): Promise<number> {
  const handle = await open(file, 'w');
  let bytes = 0;
  try {
    let batch: string[] = [];
    let batchChars = 0;
    for (const sample of syntheticSamples(options)) {
      const line = `${JSON.stringify(sample)}\n`;
      batch.push(line);
      batchChars += line.length;
      if (batchChars >= 1 << 20) {
        const { bytesWritten } = await handle.write(batch.join(''));
        bytes += bytesWritten;
        batch = [];
        batchChars = 0;
      }
    }
    if (batch.length > 0) bytes += (await handle.write(batch.join(''))).bytesWritten;
  } finally {
    await handle.close();
  }
  return bytes;
}

/** All samples as one NDJSON string (small sets, for tests). */
export function syntheticNdjson(options: SyntheticSampleOptions): string {
  let text = '';
  for (const sample of syntheticSamples(options)) text += `${JSON.stringify(sample)}\n`;
  return text;
}
