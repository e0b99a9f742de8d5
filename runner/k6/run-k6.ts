import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { CpuSet } from '../../core/process/cpu-set.js';
import { SupervisedProcess } from '../../core/process/supervised-process.js';
import { projectRoot } from '../../core/project-root.js';
import { resolveK6Binary } from './k6-binary.js';
import { interpretK6Exit, type K6Ending } from './k6-exit.js';
import { type K6Summary, readK6Summary } from './k6-summary.js';
import { SamplesTail } from './samples-tail.js';

export interface RunK6Options {
  /** The scenario script (scenarios/load.ts, ...); relative paths are from the project root. */
  script: string;
  /** The run folder: k6.log, k6-summary.json and samples.ndjson go here (created when missing). */
  outDir: string;
  /** The scenario's variables (GAUNTLET_TARGET, RATE, ...; see scenarios/README.md). */
  env?: Readonly<Record<string, string>>;
  /** Default `<outDir>/samples.ndjson`. Must not hold samples already: runs never share a file. */
  samplesFile?: string;
  /** Default: resolveK6Binary() (.tools/bin/k6, else PATH). */
  k6Binary?: string;
  /** stop(): how long k6 may take to write its summary after SIGINT before it is killed. Default 15,000. */
  stopGraceMs?: number;
  /** How often `progress` is emitted. Default 1,000. */
  progressIntervalMs?: number;
  /** More `k6 run` flags, before the script. */
  extraArgs?: readonly string[];
  /**
   * Also stream k6's metrics to a Prometheus remote-write endpoint (k6's built-in
   * experimental-prometheus-rw output), so a user's own Prometheus and dashboards see the run live.
   */
  remoteWriteUrl?: string;
  /** The `testid` tag on every remote-written series (the run dashboard's variable); the run id. */
  testId?: string;
  /** Run k6 on these CPUs only (apart from the stack it loads, when the run splits CPUs). */
  cpus?: CpuSet;
}

export interface K6Progress {
  elapsedMs: number;
  /** Samples recorded so far, and how many of them failed. */
  samples: number;
  errors: number;
  /** Samples a second over the last interval. */
  samplesPerS: number;
}

export interface K6Result extends K6Ending {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The summary export; undefined when k6 wrote none (killed, or it failed before the test ran). */
  summary: K6Summary | undefined;
  wallMs: number;
  logFile: string;
  samplesFile: string;
  summaryFile: string;
}

export interface K6RunEvents {
  progress: [K6Progress];
}

export interface K6Run extends AsyncDisposable {
  readonly pid: number;
  readonly logFile: string;
  readonly samplesFile: string;
  readonly summaryFile: string;
  /** Resolves when k6 has exited, never rejects: k6's own failures are in `failure`. */
  readonly done: Promise<K6Result>;
  readonly events: EventEmitter<K6RunEvents>;
  /** SIGINT (k6 stops and writes its summary), SIGKILL after stopGraceMs. */
  stop(): Promise<K6Result>;
}

const defaults = { stopGraceMs: 15_000, progressIntervalMs: 1_000 };

// The k6 process sees these from the harness's environment and nothing else, so that stray K6_* or
// scenario variables in a user's shell cannot change a run behind the plan's back.
const inheritedEnv = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

function validated(options: RunK6Options) {
  const settings = {
    ...options,
    // `undefined` (a caller passing its own optional setting along) means the default too.
    stopGraceMs: options.stopGraceMs ?? defaults.stopGraceMs,
    progressIntervalMs: options.progressIntervalMs ?? defaults.progressIntervalMs,
  };
  if (!Number.isInteger(settings.stopGraceMs) || settings.stopGraceMs < 0) {
    throw new Error(`stopGraceMs must be an integer >= 0, got ${settings.stopGraceMs}`);
  }
  if (!Number.isInteger(settings.progressIntervalMs) || settings.progressIntervalMs < 50) {
    throw new Error(`progressIntervalMs must be an integer >= 50, got ${settings.progressIntervalMs}`);
  }
  const script = isAbsolute(options.script) ? options.script : join(projectRoot(), options.script);
  if (!existsSync(script)) throw new Error(`k6 script ${script} does not exist`);
  return { ...settings, script };
}

/**
 * Runs one k6 test as a supervised child (setpriv --pdeathsig SIGKILL: it dies with the harness), its
 * output in `<outDir>/k6.log`, its summary in `<outDir>/k6-summary.json`, its samples appended by
 * k6/x/gauntlet to the samples file.
 */
export function runK6(options: RunK6Options): K6Run {
  const settings = validated(options);
  const k6 = settings.k6Binary ?? resolveK6Binary();
  const outDir = resolve(settings.outDir);
  mkdirSync(outDir, { recursive: true });
  const logFile = join(outDir, 'k6.log');
  const summaryFile = join(outDir, 'k6-summary.json');
  const samplesFile = resolve(settings.samplesFile ?? join(outDir, 'samples.ndjson'));
  if (existsSync(samplesFile) && statSync(samplesFile).size > 0) {
    throw new Error(`samples file ${samplesFile} already holds samples: give each run its own file`);
  }
  writeFileSync(samplesFile, '');

  const env: NodeJS.ProcessEnv = {};
  for (const name of inheritedEnv) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, settings.env, {
    K6_AUTO_EXTENSION_RESOLUTION: 'false',
    K6_NO_USAGE_REPORT: 'true',
    GAUNTLET_SAMPLES_FILE: samplesFile,
    // The scenarios resolve a relative PROMPTS path against it.
    PWD: process.cwd(),
    ...(settings.remoteWriteUrl
      ? {
          K6_PROMETHEUS_RW_SERVER_URL: settings.remoteWriteUrl,
          // Native histograms keep per-window percentiles (deploy/grafana/README.md explains the choice).
          K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM: 'true',
          K6_PROMETHEUS_RW_PUSH_INTERVAL: '1s',
        }
      : {}),
  });
  const args = [
    'run',
    '--no-color',
    '--quiet',
    // An empty address turns k6's REST API off: two runs side by side would fight over port 6565.
    '--address',
    '',
    '--summary-export',
    summaryFile,
    ...(settings.remoteWriteUrl ? ['--out', 'experimental-prometheus-rw'] : []),
    ...(settings.testId ? ['--tag', `testid=${settings.testId}`] : []),
    ...(settings.extraArgs ?? []),
    settings.script,
  ];

  const startedAt = performance.now();
  const child = SupervisedProcess.start({
    command: k6,
    args,
    env,
    cwd: projectRoot(),
    logFile,
    detached: false,
    ...(settings.cpus ? { cpus: settings.cpus } : {}),
  });
  const events = new EventEmitter<K6RunEvents>();
  const tail = new SamplesTail(samplesFile);
  let stopRequested = false;
  let lastProgress = { atMs: 0, samples: 0 };
  // One poll at a time: the tail keeps a read offset, and two reads at once would count lines twice.
  let polling: Promise<void> | undefined;
  const pollProgress = (): Promise<void> => {
    polling ??= tail
      .poll()
      .then((count) => {
        const elapsedMs = performance.now() - startedAt;
        const intervalS = (elapsedMs - lastProgress.atMs) / 1000;
        const samplesPerS = intervalS > 0 ? (count.samples - lastProgress.samples) / intervalS : 0;
        lastProgress = { atMs: elapsedMs, samples: count.samples };
        events.emit('progress', { elapsedMs, ...count, samplesPerS });
      })
      .catch(() => {
        // A failed read is retried at the next tick; progress is informative only.
      })
      .finally(() => {
        polling = undefined;
      });
    return polling;
  };
  const progressTimer = setInterval(() => void pollProgress(), settings.progressIntervalMs);

  const done = child.waitForExit().then(async ({ code, signal }): Promise<K6Result> => {
    clearInterval(progressTimer);
    const wallMs = performance.now() - startedAt;
    // A last progress event with the final count, after any poll still in flight.
    await polling;
    await pollProgress();
    return {
      exitCode: code,
      signal,
      ...interpretK6Exit(code, signal, await readLogEnd(logFile), stopRequested),
      summary: await readK6Summary(summaryFile),
      wallMs,
      logFile,
      samplesFile,
      summaryFile,
    };
  });

  const stop = async (): Promise<K6Result> => {
    if (!child.exited && !stopRequested) {
      stopRequested = true;
      child.signal('SIGINT');
      const killTimer = setTimeout(() => child.signal('SIGKILL'), settings.stopGraceMs);
      await done;
      clearTimeout(killTimer);
    }
    return done;
  };

  return {
    pid: child.pid,
    logFile,
    samplesFile,
    summaryFile,
    done,
    events,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/**
 * The last megabyte of k6's log: its warnings and errors come before the end-of-test summary, which is
 * longer than a short tail.
 */
async function readLogEnd(file: string, maxBytes = 1024 * 1024): Promise<string> {
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, maxBytes);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return '';
  }
}
