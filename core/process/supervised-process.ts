import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { type CpuSet, formatCpuList } from './cpu-set.js';
import { identityOf, type ProcessIdentity } from './process-identity.js';

export interface SpawnOptions {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr are appended here; readiness is read from this file. */
  logFile: string;
  /**
   * Detached processes outlive the harness (`gauntlet up --detach`). Attached ones run under
   * PR_SET_PDEATHSIG=SIGKILL (util-linux setpriv), so they die with the harness even when it is SIGKILLed.
   */
  detached: boolean;
  /** Confine the process (and every thread it starts) to these CPUs (util-linux taskset); default: any. */
  cpus?: CpuSet;
}

/** A child process whose output goes to a log file and which dies with its parent unless detached. */
export class SupervisedProcess {
  readonly identity: ProcessIdentity;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    child: ChildProcess,
    readonly logFile: string,
  ) {
    const pid = child.pid;
    if (pid === undefined) throw new Error('spawn returned no pid');
    this.identity = identityOf(pid) ?? { pid, startTicks: -1 };
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  static start(options: SpawnOptions): SupervisedProcess {
    const fd = openSync(options.logFile, 'a');
    try {
      // taskset and setpriv both exec what they run, so the pid we get is still the program's own.
      const pinned: [string, string[]] = options.cpus
        ? ['taskset', ['-c', formatCpuList(options.cpus), options.command, ...options.args]]
        : [options.command, options.args];
      const [command, args] = options.detached
        ? pinned
        : ['setpriv', ['--pdeathsig', 'SIGKILL', '--', ...pinned.flat()]];
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env,
        stdio: ['ignore', fd, fd],
        detached: options.detached,
      });
      if (options.detached) child.unref();
      return new SupervisedProcess(child, options.logFile);
    } finally {
      closeSync(fd);
    }
  }

  get pid(): number {
    return this.identity.pid;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exitPromise;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exitInfo) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** SIGTERM, then SIGKILL after graceMs. SIGCONT first, since a stopped process cannot act on SIGTERM. */
  async stop(graceMs = 2_000): Promise<void> {
    if (this.exitInfo) return;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exitPromise;
    clearTimeout(timer);
  }
}
