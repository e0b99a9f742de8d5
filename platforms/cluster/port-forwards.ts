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

  /** `http://127.0.0.1:<port>` forwarding to `port` of `target` (`pod/etcd-0`, `service/gateway`). */
  open(target: string, port: number): Promise<string> {
    if (this.closed) return Promise.reject(new Error('port-forwards are closed'));
    const key = `${target}:${port}`;
    const open = this.forwards.get(key);
    if (open && !open.process.exited) return open.url;
    const logFile = join(this.options.logDir, `port-forward-${target.replace(/\W+/g, '-')}-${port}.log`);
    const process = SupervisedProcess.start({
      command: this.options.kubectl,
      args: [...this.options.kubectlArgs, 'port-forward', '--address', '127.0.0.1', target, `:${port}`],
      logFile,
      detached: false,
    });
    const url = waitForLogLine(logFile, (line) => /^Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(line)?.[1], {
      timeoutMs: this.options.startTimeoutMs ?? 30_000,
      exited: () => process.exited,
    }).then(
      (local) => `http://127.0.0.1:${local}`,
      async (error: Error) => {
        await process.stop();
        throw new Error(
          `kubectl port-forward ${target} :${port} did not start (${error.message}); see ${logFile}`,
        );
      },
    );
    this.forwards.set(key, { process, url });
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
