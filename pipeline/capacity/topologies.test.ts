import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseTopologies } from './topologies.js';

describe('parseTopologies', () => {
  it('builds N-node configs from the default', () => {
    const t = parseTopologies('nodes=1,2,4');
    expect(t.map((x) => [x.name, x.nodes, x.gpus])).toEqual([
      ['nodes=1', 1, 2],
      ['nodes=2', 2, 4],
      ['nodes=4', 4, 8],
    ]);
    expect(t[2]?.config.nodes.map((n) => n.name)).toEqual(['node-a', 'node-b', 'node-c', 'node-d']);
    expect(t[2]?.config.worker_replicas).toBe(8);
    // Everything else is the default's.
    expect(t[0]?.config.batchers.replicas).toBe(2);
  });

  it('takes a list of config files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'topo-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'one-gpu.yaml');
    writeFileSync(file, 'nodes:\n  - name: solo\n    gpus: 1\n');
    const [t] = parseTopologies(file);
    expect([t?.name, t?.nodes, t?.gpus]).toEqual(['one-gpu.yaml', 1, 1]);
  });

  it('says what is wrong and what is allowed', () => {
    expect(() => parseTopologies('nodes=1,x')).toThrow(/"x" is not a node count; give nodes=N/);
    expect(() => parseTopologies('nodes=0')).toThrow(/from 1 to 64/);
    expect(() => parseTopologies('nodes=2,2')).toThrow(/nodes=2 is given twice/);
    expect(() => parseTopologies('/nope.yaml')).toThrow(/\/nope\.yaml does not exist/);
  });
});
