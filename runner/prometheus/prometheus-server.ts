import { existsSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../core/process/free-port.js';
import { tailOf } from '../../core/process/log-tail.js';
import { SupervisedProcess } from '../../core/process/supervised-process.js';
import { waitForLogLine } from '../../core/process/wait-for-log-line.js';
import { renderPrometheusConfig } from './prometheus-config.js';
import { fileSdGroups, type PrometheusTarget } from './scrape-targets.js';

export interface PrometheusServerOptions {
  runId: string;
  /** Config, targets file, log and the TSDB go here; the TSDB is kept after the run. */
  dir: string;
  scrapeIntervalMs?: number;
  readyTimeoutMs?: number;
  /** Debian's `prometheus` (installed by setup) unless given. */
  command?: string;
}

export interface StartedPrometheus extends AsyncDisposable {
  /** The HTTP API and UI, on 127.0.0.1. */
  readonly url: string;
  /** Where k6's experimental-prometheus-rw output writes. */
  readonly remoteWriteUrl: string;
  /** The TSDB folder, kept after close so the run's series can be read again. */
  readonly dataDir: string;
  /** Replaces the scraped components (Prometheus picks the file up within about 5 s). */
  setTargets(targets: readonly PrometheusTarget[]): Promise<void>;
  /**
   * Resolves once every target of the last setTargets has been scraped at least once: Prometheus applies
   * discovered targets in batches up to 5 s apart, and a load started before that would miss the stack's
   * first seconds. Throws, naming the targets still waiting, after timeoutMs.
   */
  waitForFirstScrapes(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const readyLine = 'Server is ready to receive web requests.';

/**
 * Starts a real Prometheus for one run: it scrapes the run's components and receives k6's metrics through
 * remote write (`--web.enable-remote-write-receiver`), listening on 127.0.0.1 only.
 */
export async function startPrometheus(options: PrometheusServerOptions): Promise<StartedPrometheus> {
  const dir = options.dir;
  const dataDir = join(dir, 'data');
  const targetsFile = join(dir, 'targets.json');
  const configFile = join(dir, 'prometheus.yml');
  const logFile = join(dir, 'prometheus.log');
  await mkdir(dataDir, { recursive: true });
  let targetIds: string[] = [];
  const setTargets = async (targets: readonly PrometheusTarget[]) => {
    targetIds = targets.map((t) => t.id);
    // Written whole then renamed: Prometheus must never read a half-written file.
    const tmp = `${targetsFile}.tmp`;
    await writeFile(tmp, `${JSON.stringify(fileSdGroups(options.runId, targets), null, 2)}\n`);
    await rename(tmp, targetsFile);
  };
  await setTargets([]);
  await writeFile(
    configFile,
    renderPrometheusConfig({ scrapeIntervalMs: options.scrapeIntervalMs ?? 1_000, targetsFile }),
  );
  const command = options.command ?? 'prometheus';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let lastError = 'not started';
  // A free port can be taken between probing and binding; a second try makes that race harmless.
  for (let attempt = 1; attempt <= 2; attempt++) {
    const port = await freePort();
    // The log is appended to by every start on the same folder: only lines after this point count.
    const fromOffset = existsSync(logFile) ? statSync(logFile).size : 0;
    const proc = SupervisedProcess.start({
      command,
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver',
        // k6 writes its trends as native histograms (deploy/grafana/README.md); 2.42 needs the flag to keep them.
        '--enable-feature=native-histograms',
        // The run's series must stay queryable for the report; nothing older matters.
        '--storage.tsdb.retention.time=30d',
      ],
      logFile,
      detached: false,
    });
    try {
      await waitForLogLine(logFile, (line) => (line.includes(readyLine) ? true : undefined), {
        timeoutMs: readyTimeoutMs,
        exited: () => proc.exited,
        fromOffset,
      });
      const url = `http://127.0.0.1:${port}`;
      const close = () => proc.stop(5_000);
      return {
        url,
        remoteWriteUrl: `${url}/api/v1/write`,
        dataDir,
        setTargets,
        waitForFirstScrapes: (timeoutMs = 20_000) => waitForFirstScrapes(url, targetIds, timeoutMs),
        close,
        [Symbol.asyncDispose]: close,
      };
    } catch (error) {
      await proc.stop(1_000);
      lastError = (error as Error).message;
    }
  }
  throw new Error(
    `prometheus (${command}) did not start: ${lastError}\n--- last lines of ${logFile}\n${tailOf(logFile)}`,
  );
}

interface TargetsResponse {
  data?: { activeTargets?: Array<{ labels: Record<string, string>; health: string }> };
}

async function waitForFirstScrapes(url: string, ids: readonly string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let waiting = [...ids];
  while (waiting.length > 0) {
    const body = (await fetch(`${url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.json())
      .catch(() => ({}))) as TargetsResponse;
    // A target's health is "unknown" until its first scrape, then "up" or "down".
    const scraped = new Set(
      (body.data?.activeTargets ?? []).flatMap((t) =>
        t.health !== 'unknown' && t.labels.component ? [t.labels.component] : [],
      ),
    );
    waiting = ids.filter((id) => !scraped.has(id));
    if (waiting.length === 0) return;
    if (Date.now() >= deadline)
      throw new Error(`prometheus at ${url}: not scraped within ${timeoutMs} ms: ${waiting.join(', ')}`);
    await sleep(200);
  }
}
