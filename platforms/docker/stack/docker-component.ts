import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { StartedTestContainer } from 'testcontainers';
import { getContainerRuntimeClient } from 'testcontainers';
import type {
  ComponentHandle,
  ComponentInstance,
  ComponentState,
  LogSource,
} from '../../../core/platform/platform.js';
import type { Role } from '../../../core/platform/roles.js';
import type { ContainerSpec } from './container-plan.js';

export type ContainerState = 'running' | 'paused' | 'exited';

/**
 * A stack component that is one container. Faults are engine operations: SIGKILL is `docker kill`, SIGTERM
 * a graceful `docker stop` (SIGTERM, then SIGKILL after the grace), freeze is `docker pause` (the cgroup
 * freezer), restart starts the same container again (same name, network alias, settings) and waits for its
 * ready line. The state is kept from these operations and from the engine's events (a container that
 * exits on its own), so the synchronous checks of the contract need no engine round trip.
 */
export class DockerComponent implements ComponentHandle {
  readonly role: Role;
  readonly id: string;
  readonly node: string;
  url: string | undefined;
  instance: ComponentInstance | undefined;
  readonly logs: LogSource;
  private current: ContainerState = 'running';
  /** When this process last changed the state itself; older engine events are stale by then. */
  private changedAtMs = Date.now();

  constructor(
    readonly spec: ContainerSpec,
    private readonly container: StartedTestContainer,
    private readonly networkName: string,
    readonly logFile: string,
    private readonly sigtermGraceS = 15,
  ) {
    this.role = spec.role;
    this.id = spec.id;
    this.node = spec.node;
    this.instance = { kind: 'container', containerId: container.getId() };
    // The container's output is appended to a file in the run folder across restarts (`docker logs` would
    // lose it when teardown removes the container).
    this.logs = { read: () => readFile(logFile, 'utf8').catch(() => ''), localPath: logFile };
  }

  get containerId(): string {
    return this.container.getId();
  }

  /** Reads the state and address after a (re)start: the address on a user network can change on restart. */
  async refresh(): Promise<void> {
    const info = await this.engineContainer().then((c) => c.inspect());
    const ip = info.NetworkSettings.Networks[this.networkName]?.IPAddress;
    this.url = ip ? `http://${ip}:${this.spec.port}` : undefined;
    this.set(info.State.Paused ? 'paused' : info.State.Running ? 'running' : 'exited');
  }

  /** The published host port (gateway), re-read because it changes when the container restarts. */
  async publishedUrl(): Promise<string | undefined> {
    if (!this.spec.publish) return undefined;
    const info = await this.engineContainer().then((c) => c.inspect());
    const binding = info.NetworkSettings.Ports[`${this.spec.port}/tcp`]?.[0];
    return binding ? `http://127.0.0.1:${binding.HostPort}` : undefined;
  }

  /** Called by the stack's event watcher with the engine's time of the event. */
  observed(state: ContainerState, atMs: number): void {
    if (atMs < this.changedAtMs) return;
    this.current = state;
  }

  private set(state: ContainerState): void {
    this.current = state;
    this.changedAtMs = Date.now();
  }

  /** From this process's own operations and the engine's events: no engine round trip. */
  async state(): Promise<ComponentState> {
    return this.current === 'paused' ? 'frozen' : this.current === 'exited' ? 'stopped' : 'running';
  }

  private isAlive(): boolean {
    return this.current !== 'exited';
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    if (this.current === 'exited') return;
    const container = await this.engineContainer();
    if (this.current === 'paused') await container.unpause();
    if (signal === 'SIGKILL') {
      await container.kill({ signal: 'SIGKILL' }).catch(ignoreNotRunning);
      await container.wait();
    } else {
      await container.stop({ t: this.sigtermGraceS }).catch(ignoreNotRunning);
    }
    this.set('exited');
  }

  async freeze(): Promise<void> {
    if (this.current !== 'running') throw new Error(`${this.id} is not running; cannot freeze it`);
    await (await this.engineContainer()).pause();
    this.set('paused');
  }

  async thaw(): Promise<void> {
    if (this.current !== 'paused') return;
    await (await this.engineContainer()).unpause();
    this.set('running');
  }

  async restart(): Promise<void> {
    if (this.isAlive()) throw new Error(`${this.id} is still running; kill it before restarting it`);
    // testcontainers' restart starts a stopped container and waits with its wait strategy (the ready line)
    // on the logs since this start.
    const sinceS = Math.floor(Date.now() / 1000);
    await this.container.restart({ timeout: 0 });
    await this.refresh();
    await this.followLogs(sinceS);
  }

  /** Appends the container's output to its log file from `sinceS` (epoch seconds) until it stops. */
  async followLogs(sinceS: number): Promise<void> {
    attachLog(await this.container.logs({ since: sinceS }), this.logFile);
  }

  /** Stop for teardown: unpause, SIGTERM with a short grace, then SIGKILL (the engine does both). */
  async stop(graceS: number): Promise<void> {
    if (this.current === 'exited') return;
    const container = await this.engineContainer();
    if (this.current === 'paused') await container.unpause().catch(() => {});
    await container.stop({ t: graceS }).catch(ignoreNotRunning);
    this.set('exited');
  }

  private async engineContainer() {
    const client = await getContainerRuntimeClient();
    return client.container.getById(this.container.getId());
  }
}

export function attachLog(stream: Readable, logFile: string): void {
  const out = createWriteStream(logFile, { flags: 'a' });
  stream.pipe(out);
  stream.on('error', () => out.end());
}

function ignoreNotRunning(error: { statusCode?: number }): void {
  // 304: already stopped; 409: not running. Both mean the goal is reached.
  if (error.statusCode === 304 || error.statusCode === 409) return;
  throw error;
}
