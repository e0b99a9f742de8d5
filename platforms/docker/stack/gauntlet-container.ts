import './testcontainers-env.js';
import { GenericContainer, type StartedNetwork, Wait } from 'testcontainers';
import type { ContainerRecipe, ContainerSpec } from './container-plan.js';

/**
 * A testcontainers container made from a ContainerSpec (or a helper's ContainerRecipe). Adds what
 * GenericContainer's builder lacks: publishing a port on 127.0.0.1 only (its own bindings listen on every
 * interface) and raw CPU/memory limits. Readiness is the spec's log line: the images have no shell, so testcontainers' default wait
 * (a shell probe of the port inside the container) cannot run.
 */
export class GauntletContainer extends GenericContainer {
  constructor(spec: ContainerSpec | ContainerRecipe, network: StartedNetwork, startupTimeoutMs: number) {
    super(spec.image);
    this.withName(spec.name)
      .withNetwork(network)
      .withNetworkAliases(spec.alias)
      .withLabels(spec.labels)
      .withEnvironment(spec.env)
      .withCommand(spec.command)
      .withWaitStrategy(
        spec.readyHttpPath !== undefined && spec.publish
          ? Wait.forHttp(spec.readyHttpPath, spec.port)
          : Wait.forLogMessage(spec.readyLog),
      )
      .withStartupTimeout(startupTimeoutMs);
    if (spec.files)
      this.withCopyContentToContainer(spec.files.map((f) => ({ content: f.content, target: f.path })));
    if (spec.publish) this.publishOnLoopback(spec.port);
    if (spec.limits.nanoCpus !== undefined) this.hostConfig.NanoCpus = spec.limits.nanoCpus;
    if (spec.limits.memoryBytes !== undefined) this.hostConfig.Memory = spec.limits.memoryBytes;
  }

  private publishOnLoopback(port: number): void {
    const key = `${port}/tcp`;
    this.exposedPorts = [...this.exposedPorts, port];
    this.createOpts.ExposedPorts = { ...this.createOpts.ExposedPorts, [key]: {} };
    this.hostConfig.PortBindings = {
      ...this.hostConfig.PortBindings,
      [key]: [{ HostIp: '127.0.0.1', HostPort: '0' }],
    };
  }
}
