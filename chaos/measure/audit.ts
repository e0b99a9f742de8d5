import type { LinkFaults } from '../../core/network/link-faults.js';
import { type ComponentHandle, describeInstance, statesOf } from '../../core/platform/component.js';
import type { StackHandle } from '../../core/platform/platform.js';
import { type ActiveGpuFaults, isHealthy, workerAdmin } from '../faults/worker-admin.js';

export interface AuditFinding {
  kind: 'frozen' | 'missing' | 'toxic_left' | 'gpu_fault_left' | 'audit_error';
  componentId?: string;
  detail: string;
}

export interface AuditOptions {
  links?: LinkFaults;
  httpTimeoutMs?: number;
}

/**
 * After the rollbacks: nothing an experiment did may be left behind. Finds frozen components (as the
 * platform reports their state: on the local platform, its own flag or state T in /proc), components not running, toxics or disabled proxies on any
 * link, and GPU faults still set on a worker. An empty list means clean.
 */
export async function auditStack(stack: StackHandle, options: AuditOptions = {}): Promise<AuditFinding[]> {
  const findings: AuditFinding[] = [];
  const states = await statesOf(stack.components());
  for (const { component: c, state } of states) {
    if (state === 'stopped') {
      findings.push({ kind: 'missing', componentId: c.id, detail: `${c.role} ${c.id} is not running` });
    } else if (state === 'frozen') {
      findings.push({
        kind: 'frozen',
        componentId: c.id,
        detail: `${c.role} ${c.id} (${describeInstance(c.instance)}) is frozen`,
      });
    }
  }
  if (options.links) {
    try {
      for (const left of await options.links.leftovers()) {
        findings.push({
          kind: 'toxic_left',
          componentId: left.targetId,
          detail: `${left.proxy}: ${left.what}`,
        });
      }
    } catch (error) {
      findings.push({
        kind: 'audit_error',
        detail: `could not list link faults: ${(error as Error).message}`,
      });
    }
  }
  const workers = states
    .filter(
      ({ component, state }) => component.role === 'worker' && state !== 'stopped' && state !== 'frozen',
    )
    .map(({ component }) => component);
  await Promise.all(
    workers.map(async (w) => {
      const finding = await gpuFinding(w, stack, options);
      if (finding) findings.push(finding);
    }),
  );
  return findings;
}

async function gpuFinding(
  worker: ComponentHandle,
  stack: StackHandle,
  options: AuditOptions,
): Promise<AuditFinding | undefined> {
  if (!worker.url) return { kind: 'audit_error', componentId: worker.id, detail: `${worker.id} has no URL` };
  try {
    const active = (await workerAdmin(
      await stack.reach(worker.url),
      stack.adminToken,
      'GET',
      undefined,
      options.httpTimeoutMs ?? 2_000,
    )) as ActiveGpuFaults;
    if (isHealthy(active)) return undefined;
    return {
      kind: 'gpu_fault_left',
      componentId: worker.id,
      detail: `${worker.id} still has GPU faults ${JSON.stringify(active)}`,
    };
  } catch (error) {
    return {
      kind: 'audit_error',
      componentId: worker.id,
      detail: `GPU faults of ${worker.id}: ${(error as Error).message}`,
    };
  }
}
