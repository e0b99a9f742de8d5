import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StackHandle } from '../core/platform/platform.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

let stack: StackHandle;

beforeAll(async () => {
  useTempGauntletHome();
  // One slow worker taking one request at a time, and a queue of 2: the third waiting request must bounce.
  stack = await upLocalStack(
    'etcd:\n  members: 1\nbatchers:\n  replicas: 1\n  max_batch_size: 1\n  max_queue: 2\nnodes:\n  - name: node-a\n    gpus: 1\nworker:\n  slowdown: 5\n',
  );
}, 60_000);

afterAll(async () => {
  await stack?.down();
  expect(aliveProcesses()).toEqual([]);
});

it('answers 429 with Retry-After when the batcher queue is full, and serves the rest', async () => {
  const responses = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      fetch(`${stack.gatewayUrl}/infer`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: `burst ${i}`, max_tokens: 4 }),
      }).then(async (r) => ({
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        body: await r.json(),
      })),
    ),
  );
  const statuses = responses.map((r) => r.status);
  const limited = responses.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
  expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
  for (const r of limited) {
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(r.body).toMatchObject({ error: { type: 'rate_limit_error' } });
  }
});
