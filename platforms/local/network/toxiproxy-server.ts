import { setTimeout as sleep } from 'node:timers/promises';
import type { CpuSet } from '../../../core/process/cpu-set.js';
import { freePort } from '../../../core/process/free-port.js';
import { tailOf } from '../../../core/process/log-tail.js';
import { SupervisedProcess } from '../../../core/process/supervised-process.js';
import { toolPath } from '../../../core/project-root.js';
import { ToxiproxyClient } from './toxiproxy-client.js';

export interface ToxiproxyServerOptions {
  /** toxiproxy's own log (JSON lines). */
  logFile: string;
  /** Outlive the harness (`gauntlet up --detach`); otherwise it dies with it (PR_SET_PDEATHSIG). */
  detached?: boolean;
  readyTimeoutMs?: number;
  /** The server binary; `.tools/bin/toxiproxy-server` (installed by `npm run setup`), then PATH. */
  command?: string;
  /** CPUs it runs on (the stack's, when the run splits CPUs). */
  cpus?: CpuSet;
}

export interface StartedToxiproxyServer extends AsyncDisposable {
  readonly apiUrl: string;
  readonly client: ToxiproxyClient;
  readonly process: SupervisedProcess;
  close(): Promise<void>;
}

/** Starts the real toxiproxy server on a free 127.0.0.1 port and waits until its API answers. */
export async function startToxiproxyServer(options: ToxiproxyServerOptions): Promise<StartedToxiproxyServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const command = options.command ?? toolPath('toxiproxy-server');
  let lastError = 'not started';
  // The free port may be taken between probing and binding; a few tries make that race harmless.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const proc = SupervisedProcess.start({
      command,
      args: ['-host', '127.0.0.1', '-port', String(port)],
      logFile: options.logFile,
      detached: options.detached ?? false,
      ...(options.cpus ? { cpus: options.cpus } : {}),
    });
    const apiUrl = `http://127.0.0.1:${port}`;
    const client = new ToxiproxyClient(apiUrl);
    try {
      await waitForApi(client, proc, readyTimeoutMs);
      const close = () => proc.stop(2_000);
      return { apiUrl, client, process: proc, close, [Symbol.asyncDispose]: close };
    } catch (error) {
      await proc.stop(500);
      lastError = (error as Error).message;
    }
  }
  throw new Error(
    `toxiproxy-server (${command}) did not start: ${lastError}\n--- last lines of ${options.logFile}\n${tailOf(options.logFile)}`,
  );
}

async function waitForApi(
  client: ToxiproxyClient,
  proc: SupervisedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (proc.exited) throw new Error(`it exited (${JSON.stringify(proc.exit)})`);
    try {
      await client.version();
      return;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(25);
  }
  throw new Error(`API at ${client.baseUrl} not answering after ${timeoutMs} ms (${last})`);
}
