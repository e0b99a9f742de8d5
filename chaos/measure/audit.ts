import type { LinkFaults } from '../../core/network/link-faults.js';
import type { ComponentHandle, StackHandle } from '../../core/platform/platform.js';
import { processState } from '../../core/process/process-identity.js';
import { type ActiveGpuFaults, isHealthy, workerAdmin } from '../faults/worker-admin.js';

export interface AuditFinding {
  kind: 'frozen' | 'missing' | 'toxic_left' | 'gpu_fault_left' | 'audit_error';
  componentId?: string;
  detail: string;
}

export interface AuditOptions {
  links?: LinkFaults;
  httpTimeoutMs?: number;
  /** Process state letter by pid (/proc/PID/stat on Linux); injectable for tests. */
  stateOf?: (pid: number) => string | undefined;
}

/**
 * After the rollbacks: nothing an experiment did may be left behind. Finds frozen processes (state T in
 * /proc, or the platform's own frozen flag), components not running, toxics or disabled proxies on any
 * link, and GPU faults still set on a worker. An empty list means clean.
 */
export async function auditStack(stack: StackHandle, options: AuditOptions = {}): Promise<AuditFinding[]> {
  const stateOf = options.stateOf ?? processState;
  const findings: AuditFinding[] = [];
  const components = stack.components();
  for (const c of components) {
    if (!c.isAlive()) {
      findings.push({ kind: 'missing', componentId: c.id, detail: `${c.role} ${c.id} is not running` });
      continue;
    }
    const state = c.pid === undefined ? undefined : stateOf(c.pid);
    if (state === 'T' || state === 't' || c.isFrozen()) {
      findings.push({
        kind: 'frozen',
        componentId: c.id,
        detail: `${c.role} ${c.id} (pid ${c.pid ?? '?'}) is stopped (state ${state ?? 'frozen flag'})`,
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
  const workers = components.filter(
    (c) =>
      c.role === 'worker' &&
      c.isAlive() &&
      !findings.some((f) => f.componentId === c.id && f.kind === 'frozen'),
  );
  await Promise.all(
    workers.map(async (w) => {
      const finding = await gpuFinding(w, stack.adminToken, options);
      if (finding) findings.push(finding);
    }),
  );
  return findings;
}

async function gpuFinding(
  worker: ComponentHandle,
  adminToken: string,
  options: AuditOptions,
): Promise<AuditFinding | undefined> {
  if (!worker.url) return { kind: 'audit_error', componentId: worker.id, detail: `${worker.id} has no URL` };
  const url = options.links?.directUrl(worker.url) ?? worker.url;
  try {
    const active = (await workerAdmin(
      url,
      adminToken,
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
