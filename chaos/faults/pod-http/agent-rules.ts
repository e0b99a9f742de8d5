import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { KubeAccess } from '../../../core/platform/platform.js';
import { agentContainer } from './pod-http-fault.js';

const run = promisify(execFile);

function kubectlArgs(access: KubeAccess): string[] {
  return [
    '--kubeconfig',
    access.kubeconfig,
    ...(access.context ? ['--context', access.context] : []),
    '--namespace',
    access.namespace,
  ];
}

/** Runs a command in the pod's agent container; undefined while that container does not exist yet. */
async function inAgent(access: KubeAccess, pod: string, command: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run(
      access.kubectl,
      [...kubectlArgs(access), 'exec', pod, '-c', agentContainer, '--', ...command],
      { timeout: 20_000 },
    );
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    if (/container .* not found|is not valid for pod|container not found/i.test(stderr)) return undefined;
    throw new Error(
      `kubectl exec ${pod} -c ${agentContainer} ${command.join(' ')}: ${stderr.trim() || (error as Error).message}`,
    );
  }
}

/**
 * Whether the agent's traffic redirection is in force in the pod: its iptables REDIRECT of the target port
 * (pkg/agent/protocol/redirector.go). The rules are the fault: present means traffic goes through the proxy.
 */
export async function redirectActive(access: KubeAccess, pod: string, port: number): Promise<boolean> {
  const rules = await inAgent(access, pod, ['iptables', '-t', 'nat', '-S']);
  if (rules === undefined) return false;
  const redirect = new RegExp(`--dport ${port}\\b.*-j REDIRECT`);
  return rules.split('\n').some((line) => redirect.test(line));
}

/** Asks a running agent to stop (`xk6-disruptor-agent cleanup`: SIGTERM to it, which removes its rules). */
export async function stopAgent(access: KubeAccess, pod: string): Promise<void> {
  await inAgent(access, pod, ['xk6-disruptor-agent', 'cleanup']);
}
