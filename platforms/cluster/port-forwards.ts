import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SupervisedProcess } from '../../core/process/supervised-process.js';
import { waitForLogLine } from '../../core/process/wait-for-log-line.js';

export interface PortForwardsOptions {
  kubectl: string;
  /** `--kubeconfig F --context C --namespace N`. */
  kubectlArgs: string[];
  /** Each forward's output goes to `<logDir>/port-forward-<target>.log`. */
  logDir: string;
  startTimeoutMs?: number;
}

interface Forward {
  process: SupervisedProcess;
  url: Promise<string>;
  instance: string | undefined;
}

/**
 * `kubectl port-forward` processes, one per target, each on a free port of 127.0.0.1 (kubectl picks it):
 * how the harness reaches pods on a cluster whose pod network its host has no route to. A forward is
 * opened on first use and again after its process ended (its pod replaced); all die with the harness
 * (SupervisedProcess) and at close().
 */
export class PortForwards implements AsyncDisposable {
  private readonly forwards = new Map<string, Forward>();
  private closed = false;

  constructor(private readonly options: PortForwardsOptions) {}

  /**
   * `http://127.0.0.1:<port>` forwarding to `port` of `target` (`pod/etcd-0`, `service/gateway`).
   * `instance` (a pod's uid) tells a replacement under the same name apart: kubectl keeps forwarding to
   * the pod it resolved at start, so a forward to a replaced pod is stopped and a new one opened.
   */
  open(target: string, port: number, instance?: string): Promise<string> {
    if (this.closed) return Promise.reject(new Error('port-forwards are closed'));
    const key = `${target}:${port}`;
    const open = this.forwards.get(key);
    if (open && !open.process.exited && open.instance === instance) return open.url;
    if (open && !open.process.exited) void open.process.stop();
    const logFile = join(this.options.logDir, `port-forward-${target.replace(/\W+/g, '-')}-${port}.log`);
    // A forward opened again (its pod replaced) appends to the same log: read only its own lines.
    const fromOffset = existsSync(logFile) ? statSync(logFile).size : 0;
    const child = SupervisedProcess.start({
      command: this.options.kubectl,
      args: [...this.options.kubectlArgs, 'port-forward', '--address', '127.0.0.1', target, `:${port}`],
      logFile,
      detached: false,
    });
    const url = waitForLogLine(logFile, (line) => /^Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(line)?.[1], {
      timeoutMs: this.options.startTimeoutMs ?? 30_000,
      exited: () => child.exited,
      fromOffset,
    }).then(
      (local) => `http://127.0.0.1:${local}`,
      async (error: Error) => {
        await child.stop();
        throw new Error(
          `kubectl port-forward ${target} :${port} did not start (${error.message}); see ${logFile}`,
        );
      },
    );
    this.forwards.set(key, { process: child, url, instance });
    return url;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.forwards.values()].map((f) => f.process.stop()));
    this.forwards.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
