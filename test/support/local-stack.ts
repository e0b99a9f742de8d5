import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig } from '../../core/config/load-cluster-config.js';
import type { StackHandle } from '../../core/platform/platform.js';
import { identityOf, isSameProcessAlive, type ProcessIdentity } from '../../core/process/process-identity.js';
import { LocalPlatform } from '../../platforms/local/local-platform.js';

/** Every process any test stack started, so each test file can assert none survives. */
export const startedProcesses: ProcessIdentity[] = [];

/** A private GAUNTLET_HOME per test process: state files of one test never meet another's. */
export function useTempGauntletHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'gauntlet-test-'));
  process.env.GAUNTLET_HOME = home;
  return home;
}

/** Brings a real local stack up from YAML (empty = the default topology) and records its pids. */
export async function upLocalStack(
  yaml: string,
  options: { readyTimeoutMs?: number } = {},
): Promise<StackHandle> {
  const config = parseClusterConfig(yaml, 'test-config.yaml');
  const stack = await new LocalPlatform().up(config, { readyTimeoutMs: options.readyTimeoutMs ?? 20_000 });
  recordPids(stack);
  return stack;
}

export function recordPids(stack: StackHandle): void {
  for (const component of stack.components()) {
    const instance = component.instance;
    const identity = instance?.kind === 'process' ? identityOf(instance.pid) : undefined;
    if (identity && !startedProcesses.some((p) => p.pid === identity.pid)) startedProcesses.push(identity);
  }
}

export function aliveProcesses(): ProcessIdentity[] {
  return startedProcesses.filter(isSameProcessAlive);
}

/** Waits (bounded) for a condition polled every 50 ms; returns the elapsed ms or throws with the label. */
export async function waitUntil(
  label: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await condition()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${label}: not true after ${timeoutMs} ms`);
}

/** Reads the worker ids registered in etcd through its v3 JSON gateway. */
export async function registeredWorkers(stack: StackHandle): Promise<string[]> {
  const prefix = `/gauntlet/${stack.config.cluster_name}/workers/`;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const rangeEnd = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  for (const endpoint of stack.etcdEndpoints) {
    try {
      const response = await fetch(`${endpoint}/v3/kv/range`, {
        method: 'POST',
        body: JSON.stringify({ key: b64(prefix), range_end: b64(rangeEnd), keys_only: true }),
        signal: AbortSignal.timeout(1_000),
      });
      const body = (await response.json()) as { kvs?: Array<{ key: string }> };
      return (body.kvs ?? []).map((kv) => Buffer.from(kv.key, 'base64').toString().slice(prefix.length));
    } catch {
      // Try the next member.
    }
  }
  throw new Error('no etcd member answered');
}
