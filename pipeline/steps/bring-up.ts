import type { StackHandle } from '../../core/platform/platform.js';
import type { CpuSet } from '../../core/process/cpu-set.js';
import type { RunTargetSpec } from '../pipeline-options.js';

export interface Reached {
  /** The stack this run brought up (and must tear down); undefined when attached to a --target. */
  stack: StackHandle | undefined;
  url: string;
  apiKey: string | undefined;
}

export interface BringUpOptions {
  /** Fault proxies on every link between roles (network faults need them). */
  networkProxies: boolean;
  log: (message: string) => void;
  /** Receives the stack as soon as it is up, so teardown finds it even if a later step throws. */
  onStack: (stack: StackHandle) => void;
  /** The stack's CPUs, when the run keeps it apart from the generator. */
  cpus: CpuSet | undefined;
}

/** Brings a stack up on the target's platform, or attaches to the URL of a stack that is already up. */
export async function bringUp(target: RunTargetSpec, options: BringUpOptions): Promise<Reached> {
  if (target.platform) {
    const { platform, config, readyTimeoutMs } = target.platform;
    const stack = await platform.up(config, {
      log: options.log,
      ...(readyTimeoutMs !== undefined ? { readyTimeoutMs } : {}),
      ...(options.networkProxies ? { networkProxies: true } : {}),
      ...(options.cpus ? { cpus: options.cpus } : {}),
    });
    options.onStack(stack);
    return { stack, url: stack.gatewayUrl, apiKey: stack.apiKey };
  }
  if (!target.url) throw new Error('a run needs a platform or a target URL');
  return { stack: undefined, url: target.url, apiKey: target.apiKey };
}
