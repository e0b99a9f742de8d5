import { describe, expect, it } from 'vitest';
import { platformEventNotes } from './platform-event-notes.js';

describe('platformEventNotes', () => {
  const events = [
    { t: 900, subject: 'pod worker-node-a-0', change: 'ready' as const },
    { t: 1_400, subject: 'pod worker-node-a-0', change: 'deleted' as const },
    { t: 1_700, subject: 'pod worker-node-a-0', change: 'created' as const },
    { t: 4_100, subject: 'pod worker-node-a-0', change: 'ready' as const },
    { t: 99_000, subject: 'node kind-worker', change: 'not-ready' as const },
  ];

  it('lists what the API saw from the injection until 30 s after the rollback, relative to the injection', () => {
    expect(
      platformEventNotes('kind', events, [{ id: 'kill-worker', injectedAt: 1_000, revertedAt: 21_000 }]),
    ).toEqual([
      'kind API after fault kill-worker: +0.4 s pod worker-node-a-0 deleted, +0.7 s pod worker-node-a-0 created, +3.1 s pod worker-node-a-0 ready',
    ]);
  });

  it('says so when nothing changed, and skips a fault never injected', () => {
    expect(
      platformEventNotes('kind', events, [
        { id: 'a', injectedAt: 50_000, revertedAt: 60_000 },
        { id: 'b', injectedAt: null, revertedAt: null },
      ]),
    ).toEqual(['kind API after fault a: no pod or node changed']);
  });
});
