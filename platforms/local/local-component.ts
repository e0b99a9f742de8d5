import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ComponentHandle,
  ComponentInstance,
  ComponentState,
  LogSource,
} from '../../core/platform/component.js';
import { processState } from '../../core/process/process-identity.js';
import type { SupervisedProcess } from '../../core/process/supervised-process.js';
import type { Role } from '../../stack/protocol/registry-keys.js';

export interface Launched {
  process: SupervisedProcess;
  url: string | undefined;
}

/** A stack component that is one local process; faults are signals to that process. */
export class LocalComponent implements ComponentHandle {
  private current: Launched | undefined;
  private frozen = false;
  private starting = false;
  readonly logs: LogSource;

  constructor(
    readonly role: Role,
    readonly id: string,
    readonly node: string,
    readonly logFile: string,
    private readonly launch: () => Promise<Launched>,
    private readonly onChange: () => void,
    private readonly sigtermGraceMs = 15_000,
  ) {
    this.logs = { localPath: logFile, read: () => readFile(logFile, 'utf8').catch(() => '') };
  }

  get pid(): number | undefined {
    return this.current?.process.pid;
  }

  get instance(): ComponentInstance | undefined {
    const pid = this.current?.process.pid;
    return pid === undefined ? undefined : { kind: 'process', pid };
  }

  get url(): string | undefined {
    return this.current?.url;
  }

  get process(): SupervisedProcess | undefined {
    return this.current?.process;
  }

  async start(): Promise<void> {
    this.starting = true;
    try {
      this.current = await this.launch();
    } finally {
      this.starting = false;
    }
    this.frozen = false;
    this.onChange();
  }

  /** Used by the platform while a launch is still waiting for readiness, so teardown can reach it. */
  adopt(launched: Launched): void {
    this.current = launched;
    this.onChange();
  }

  /** The process exists and has not exited (synchronous: the local platform can tell at once). */
  isRunning(): boolean {
    return this.current !== undefined && !this.current.process.exited;
  }

  async state(): Promise<ComponentState> {
    if (!this.isRunning()) return this.starting ? 'starting' : 'stopped';
    // The kernel's word counts too: a process stopped behind our back (SIGSTOP from elsewhere) is frozen.
    const kernel = this.pid === undefined ? undefined : processState(this.pid);
    if (this.frozen || kernel === 'T' || kernel === 't') return 'frozen';
    return this.starting ? 'starting' : 'running';
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const proc = this.current?.process;
    if (!proc || proc.exited) return;
    if (signal === 'SIGKILL') {
      proc.signal('SIGKILL');
      await proc.waitForExit();
    } else {
      await proc.stop(this.sigtermGraceMs);
    }
    this.frozen = false;
  }

  async freeze(): Promise<void> {
    const proc = this.current?.process;
    if (!proc || proc.exited) throw new Error(`${this.id} is not running; cannot freeze it`);
    proc.signal('SIGSTOP');
    this.frozen = true;
    // SIGSTOP is asynchronous; wait until the kernel reports the process stopped.
    await waitForState(proc.pid, 'T', 1_000);
  }

  async thaw(): Promise<void> {
    const proc = this.current?.process;
    this.frozen = false;
    if (!proc || proc.exited) return;
    proc.signal('SIGCONT');
  }

  async restart(): Promise<void> {
    if (this.isRunning()) throw new Error(`${this.id} is still running; kill it before restarting it`);
    await this.start();
  }

  /** Stop for teardown: thaw, SIGTERM, SIGKILL after graceMs. */
  async stop(graceMs: number): Promise<void> {
    const proc = this.current?.process;
    if (!proc || proc.exited) return;
    await proc.stop(graceMs);
    this.frozen = false;
  }
}

async function waitForState(pid: number, state: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const now = processState(pid);
    if (now === state || now === 't' || now === undefined) return;
    await sleep(5);
  }
}
