import { describe, expect, it } from 'vitest';
import { renderChaosTable } from './chaos-table.js';

const fault = {
  id: 'kill-worker',
  verdict: 'pass',
  detectedAfterMs: 121,
  detection: 'detected',
  recoveredAfterMs: null,
  recovery: 'held',
  recoveryResolutionMs: 1000,
  failedRequests: 0,
  streamsCut: 0,
  lost: 0,
  duplicated: 0,
};

describe('renderChaosTable', () => {
  it('tells held, a recovery time with its resolution, not applicable and an experiment that did not run apart', () => {
    const table = renderChaosTable({
      'worker-kill': { verdict: 'pass', faults: [fault] },
      'worker-node-kill': {
        verdict: 'fail',
        faults: [{ ...fault, verdict: 'fail', recovery: 'recovered', recoveredAfterMs: 23_000 }],
      },
      'etcd-quorum-loss': {
        verdict: 'inconclusive',
        faults: [{ ...fault, detectedAfterMs: null, detection: 'not_applicable', recovery: 'undecided' }],
      },
      'worker-http-fault': {
        error: 'experiment worker-http-fault cannot run on the local platform:\n  needs pod-http-faults',
      },
    });
    const rows = table.split('\n').map((r) => r.split('|').map((c) => c.trim()));
    expect(rows[2]).toEqual(['', 'worker-kill', 'pass', 'pass', '0.12 s', 'held', '0', '0', '0 / 0', '']);
    expect(rows[3]?.slice(1, 6)).toEqual(['worker-node-kill', 'fail', 'fail', '0.12 s', '23 s (± 1 s)']);
    expect(rows[4]?.slice(4, 6)).toEqual(['n/a', 'undecided']);
    expect(table.split('\n').at(-1)).toBe(
      '- worker-http-fault: not run: experiment worker-http-fault cannot run on the local platform',
    );
  });
});
