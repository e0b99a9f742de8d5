import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasBearer, readBody, sendJson } from '../runtime/http-util.js';
import { type FaultState, gpuFaultsSchema } from './fault-state.js';
import { workerError } from './worker-error.js';

export interface FaultAdminDeps {
  faults: FaultState;
  adminTokens: ReadonlySet<string>;
  /** What `crash` does once its 202 is sent. */
  onCrash: () => void;
  log: (message: string) => void;
}

/** `/admin/faults` (bearer token): GET the active faults, POST to merge some in, DELETE to clear them. */
export function faultAdminRoute(deps: FaultAdminDeps) {
  const { faults, log } = deps;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hasBearer(req, deps.adminTokens)) {
      req.resume();
      sendJson(
        res,
        401,
        workerError('unauthorized', 'admin endpoints need Authorization: Bearer <admin token>'),
        { 'www-authenticate': 'Bearer' },
      );
      return;
    }
    if (req.method === 'GET') {
      sendJson(res, 200, faults.snapshot());
      return;
    }
    if (req.method === 'DELETE') {
      req.resume();
      faults.clear();
      log('faults cleared');
      sendJson(res, 200, faults.snapshot());
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendJson(res, 405, workerError('method_not_allowed', 'use GET, POST or DELETE'), {
        allow: 'GET, POST, DELETE',
      });
      return;
    }
    let body: unknown;
    try {
      const raw = await readBody(req, 64 * 1024);
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      sendJson(
        res,
        400,
        workerError('bad_request', 'body must be a JSON GpuFaults object of at most 64 KiB'),
      );
      return;
    }
    const parsed = gpuFaultsSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      sendJson(res, 400, workerError('bad_request', `${where}${issue?.message ?? 'invalid faults'}`));
      return;
    }
    if (parsed.data.crash) {
      log('fault injected: crash; killing the process');
      res.on('finish', () => setImmediate(deps.onCrash));
      sendJson(res, 202, { crashing: true });
      return;
    }
    const active = faults.merge(parsed.data);
    log(`faults now ${JSON.stringify(active)}`);
    sendJson(res, 200, active);
  };
}
