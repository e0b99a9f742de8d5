import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { allowedCpus, type CpuSet, formatCpuList } from '../core/process/cpu-set.js';
import { SupervisedProcess } from '../core/process/supervised-process.js';
import { waitForLogLine } from '../core/process/wait-for-log-line.js';
import { projectRoot } from '../core/project-root.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';
import type { RequestSample } from '../reports/model/request-sample.js';
import { startKnownLatencyServer } from '../runner/k6/known-latency-server.js';
import { K6LoadDriver } from '../runner/load/k6-load-driver.js';

export interface LoadgenFigures {
  rateError: number;
  dropped: number;
  details: unknown;
}

/** One constant-rate k6 run of /infer requests; how exactly it held the rate, and what it dropped. */
async function holdRate(
  target: string,
  apiKey: string | undefined,
  env: Record<string, string>,
  rate: number,
  durationS: number,
  cpus?: CpuSet,
  endpointMix = 'infer:1',
): Promise<LoadgenFigures & { samplesFile: string }> {
  const run = await new K6LoadDriver().start({
    scenario: 'load',
    target,
    ...(apiKey ? { apiKey } : {}),
    rate,
    durationS,
    seed: 1,
    endpointMix,
    maxTokens: 4,
    outDir: mkdtempSync(join(tmpdir(), 'gauntlet-loadgen-')),
    env: { WARMUP: '0', PROMPT_TOKENS_MEAN: '64', ...env },
    ...(cpus ? { cpus } : {}),
  });
  const outcome = await run.done;
  const achieved = outcome.iterations / durationS;
  return {
    samplesFile: outcome.samplesFile,
    rateError: Math.abs(achieved - rate) / rate,
    dropped: outcome.droppedIterations,
    details: {
      cpus: cpus ? formatCpuList(cpus) : 'any',
      achieved,
      iterations: outcome.iterations,
      dropped: outcome.droppedIterations,
      scheduleLagMs: outcome.scheduleLagMs,
      vusMax: outcome.vusMax,
      warnings: outcome.warnings,
    },
  };
}

/**
 * The generator's CPUs and the rest: the last allowed CPU for k6, the others for what it loads (on a
 * 2-CPU host, one each). Undefined on a single CPU: nothing to separate.
 */
export function benchCpuSplit(): { loadgen: CpuSet; rest: CpuSet } | undefined {
  const cpus = allowedCpus();
  if (cpus.length < 2) return undefined;
  return { loadgen: cpus.slice(-1), rest: cpus.slice(0, -1) };
}

/**
 * k6 against the local stack (default topology) at 1,000 requests per second for 30 s, k6 on a CPU of its
 * own and the stack on the others (--cpu-split), so neither delays the other's timers.
 */
export async function benchLoadgen(rate = 1_000, durationS = 30): Promise<LoadgenFigures> {
  const split = benchCpuSplit();
  const stack = await new LocalPlatform().up(parseClusterConfig('', 'bench'), {
    ...(split ? { cpus: split.rest } : {}),
  });
  try {
    const { samplesFile: _, ...figures } = await holdRate(
      stack.gatewayUrl,
      stack.apiKey,
      { EXPECTED_LATENCY_MS: '500' },
      rate,
      durationS,
      split?.loadgen,
    );
    return figures;
  } finally {
    await stack.down();
  }
}

export interface OracleFigures {
  /** Measured TTFT minus the server's known TTFT, over every stream: median and 99th percentile. */
  ttftErrorP50Ms: number;
  ttftErrorP99Ms: number;
  rateError: number;
  dropped: number;
  details: unknown;
}

/**
 * Streams at 1,000 req/s against the known-latency server running as its own process on the other CPUs
 * (first token exactly tokenGapMs after a request arrives): how far the generator's TTFT is from the truth.
 */
export async function benchOracleTtft(rate = 1_000, durationS = 30, tokenGapMs = 20): Promise<OracleFigures> {
  const split = benchCpuSplit();
  const dir = mkdtempSync(join(tmpdir(), 'gauntlet-oracle-'));
  const logFile = join(dir, 'known-latency.log');
  const server = SupervisedProcess.start({
    command: process.execPath,
    args: [join(projectRoot(), 'dist', 'runner', 'k6', 'known-latency-main.js'), String(tokenGapMs), '5'],
    logFile,
    detached: false,
    ...(split ? { cpus: split.rest } : {}),
  });
  try {
    const url = await waitForLogLine(
      logFile,
      (line) => {
        try {
          return (JSON.parse(line) as { url?: string }).url;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 10_000, exited: () => server.exited },
    );
    const held = await holdRate(
      url,
      undefined,
      { EXPECTED_LATENCY_MS: '100', MODEL: 'known' },
      rate,
      durationS,
      split?.loadgen,
      'chat_stream:1',
    );
    const errors = readFileSync(held.samplesFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as RequestSample)
      .flatMap((sample) => (sample.ttft === undefined ? [] : [sample.ttft - tokenGapMs]))
      .sort((a, b) => a - b);
    const at = (q: number) =>
      errors[Math.min(errors.length - 1, Math.floor(q * errors.length))] ?? Number.NaN;
    return {
      ttftErrorP50Ms: at(0.5),
      ttftErrorP99Ms: at(0.99),
      rateError: held.rateError,
      dropped: held.dropped,
      details: { ...(held.details as object), streams: errors.length, tokenGapMs, minErrorMs: errors[0] },
    };
  } finally {
    await server.stop(2_000);
  }
}

/**
 * The same plan against a server that answers every request after exactly 50 ms: the generator's own
 * accuracy, without the stack competing for the same 2 cores.
 */
export async function benchLoadgenAlone(rate = 1_000, durationS = 30): Promise<LoadgenFigures> {
  await using server = await startKnownLatencyServer();
  const { samplesFile: _, ...figures } = await holdRate(
    server.url,
    undefined,
    { EXPECTED_LATENCY_MS: '100', MODEL: 'known' },
    rate,
    durationS,
  );
  return figures;
}
