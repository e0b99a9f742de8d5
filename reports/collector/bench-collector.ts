import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleCollector } from './sample-collector.js';
import { writeSyntheticSamples } from './synthetic-samples.js';

export interface CollectorBenchResult {
  samples: number;
  fileMb: number;
  /** Samples ingested per second of wall time, result() (merges and the timeline) included. */
  samplesPerS: number;
  /** The same per second of this process's CPU time (user + system): steadier on a busy machine. */
  samplesPerCpuS: number;
  /** Highest process RSS seen while ingesting (sampled after every 1 MiB chunk) and building the result. */
  peakRssMb: number;
  /** RSS just before ingesting: what the process held already (the bench harness, node itself). */
  baselineRssMb: number;
}

/**
 * Writes a synthetic samples file (mixed endpoints, ITL arrays for streamed chat; see synthetic-samples.ts)
 * to a temp directory, reads it in 1 MiB chunks into a SampleCollector as tailFile would, and measures
 * the rate and the peak RSS. The file is removed afterwards.
 */
export async function benchCollector(options: {
  samples: number;
  seed?: number;
}): Promise<CollectorBenchResult> {
  if (!Number.isInteger(options.samples) || options.samples <= 0) {
    throw new RangeError(`samples must be a positive integer (got ${options.samples})`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-bench-collector-'));
  try {
    const file = join(dir, 'samples.ndjson');
    const bytes = await writeSyntheticSamples(file, { samples: options.samples, seed: options.seed ?? 7 });
    // Let the generator's garbage go before measuring (only when node runs with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const collector = new SampleCollector();
    const buffer = Buffer.allocUnsafe(1 << 20);
    const handle = await open(file, 'r');
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    try {
      let offset = 0;
      // Bounded by the file size: every pass reads > 0 bytes or stops.
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        collector.ingestChunk(buffer.subarray(0, bytesRead));
        const rss = process.memoryUsage.rss();
        if (rss > peak) peak = rss;
      }
    } finally {
      await handle.close();
    }
    const result = collector.result();
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    peak = Math.max(peak, process.memoryUsage.rss());
    if (result.samples !== options.samples) {
      throw new Error(`collector saw ${result.samples} samples of ${options.samples} written`);
    }
    return {
      samples: result.samples,
      fileMb: bytes / 1e6,
      samplesPerS: Math.round(result.samples / seconds),
      samplesPerCpuS: Math.round(result.samples / cpuSeconds),
      peakRssMb: Math.round((peak / (1 << 20)) * 10) / 10,
      baselineRssMb: Math.round((baseline / (1 << 20)) * 10) / 10,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
