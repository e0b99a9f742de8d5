import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { KubeAccess } from '../../../core/platform/platform.js';
import { projectRoot } from '../../../core/project-root.js';
import { resolveK6Binary } from '../../../runner/k6/k6-binary.js';
import { redirectActive, stopAgent } from './agent-rules.js';
import { agentImage, agentProxyPort, type PodHttpFault } from './pod-http-fault.js';

/** How long the agent may take to be injected (image present) and to set its rules. */
const startTimeoutMs = 120_000;
/** How long the rules may take to go once the agent was asked to stop. */
const stopTimeoutMs = 30_000;
const pollMs = 500;

export interface DisruptorRun {
  /** Ends the fault now (or confirms it ended): stops k6 and every agent, and checks the rules are gone. */
  stop(): Promise<void>;
}

/**
 * Injects the fault into the pods with xk6-disruptor, from our k6 (scenarios/faults/inject-http-faults.ts),
 * and resolves once every pod's redirection is in force. k6 holds the fault for `durationS` and exits;
 * `stop()` ends it earlier. Neither k6 nor iptables offers anything to watch, so readiness and removal
 * are read from the pods' rules every 500 ms, bounded.
 */
export async function startDisruptor(
  access: KubeAccess,
  pods: readonly string[],
  fault: PodHttpFault,
  durationS: number,
  log: (line: string) => void,
): Promise<DisruptorRun> {
  await access.provideImage(agentImage);
  // xk6-disruptor reads KUBECONFIG's current context only: hand it a kubeconfig of the one context.
  const kubeconfig = await singleContextKubeconfig(access);
  const k6 = spawn(resolveK6Binary(), ['run', '--quiet', '--no-summary', '--no-usage-report', script()], {
    env: {
      ...process.env,
      KUBECONFIG: kubeconfig.path,
      NAMESPACE: access.namespace,
      PODS: pods.join(','),
      PORT: String(fault.port),
      DELAY_MS: String(fault.delayMs),
      VARIATION_MS: String(fault.variationMs),
      ERROR_RATE: String(fault.errorRate),
      ERROR_CODE: String(fault.errorCode),
      EXCLUDE: fault.exclude.join(','),
      DURATION_S: String(Math.ceil(durationS)),
      PROXY_PORT: String(agentProxyPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  k6.stdout?.on('data', keep);
  k6.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => k6.once('exit', (code) => resolve(code)));
  void exited.then(() => kubeconfig.remove());
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });

  const stop = async () => {
    if (exitCode === undefined) await terminate(k6, exited);
    const stuck: string[] = [];
    await Promise.all(
      pods.map(async (pod) => {
        await stopAgent(access, pod);
        const deadline = Date.now() + stopTimeoutMs;
        while (await redirectActive(access, pod, fault.port)) {
          if (Date.now() > deadline) {
            stuck.push(pod);
            return;
          }
          await sleep(pollMs);
        }
      }),
    );
    if (stuck.length > 0) {
      throw new Error(`the xk6-disruptor agent's rules are still in force in ${stuck.join(', ')}`);
    }
  };

  const deadline = Date.now() + startTimeoutMs;
  const pending = new Set(pods);
  while (pending.size > 0) {
    if (exitCode !== undefined) {
      await stop().catch(() => {});
      throw new Error(
        `k6 (xk6-disruptor) exited ${exitCode} before the fault was in force: ${lastLines(output)}`,
      );
    }
    if (Date.now() > deadline) {
      await stop().catch(() => {});
      throw new Error(
        `the xk6-disruptor agent was not in force in ${[...pending].join(', ')} within ${startTimeoutMs / 1000} s: ${lastLines(output)}`,
      );
    }
    for (const pod of [...pending]) if (await redirectActive(access, pod, fault.port)) pending.delete(pod);
    if (pending.size > 0) await sleep(pollMs);
  }
  log(`xk6-disruptor in force in ${pods.join(', ')}`);
  return { stop };
}

/** The access's kubeconfig as it is, or (with a context) a minified copy holding only that context. */
async function singleContextKubeconfig(
  access: KubeAccess,
): Promise<{ path: string; remove(): Promise<void> }> {
  if (!access.context) return { path: access.kubeconfig, remove: async () => {} };
  const { stdout } = await promisify(execFile)(
    access.kubectl,
    [
      '--kubeconfig',
      access.kubeconfig,
      'config',
      'view',
      '--minify',
      '--flatten',
      '--context',
      access.context,
    ],
    { timeout: 20_000 },
  );
  const dir = await mkdtemp(join(tmpdir(), 'gauntlet-disruptor-'));
  const path = join(dir, 'kubeconfig');
  await writeFile(path, stdout, { mode: 0o600 });
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

function script(): string {
  return join(projectRoot(), 'scenarios', 'faults', 'inject-http-faults.ts');
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!gone) {
    child.kill('SIGKILL');
    await exited;
  }
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines.slice(-5).join(' | ') || '(no output)';
}
