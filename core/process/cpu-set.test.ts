import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { allowedCpus, formatCpuList, parseCpuList, parseCpuSplit, planCpuSplit } from './cpu-set.js';

describe('CPU lists', () => {
  it('reads and writes the kernel list format', () => {
    expect(parseCpuList('0-3,6')).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList(' 5,1-2 ')).toEqual([1, 2, 5]);
    expect(formatCpuList([6, 0, 1, 2, 3])).toBe('0-3,6');
    expect(formatCpuList([1])).toBe('1');
  });

  it('refuses what is not a list', () => {
    expect(() => parseCpuList('a-b')).toThrow(/not a CPU list/);
    expect(() => parseCpuList('3-1')).toThrow(/descending/);
  });

  it('reads the allowed CPUs from the status file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpuset-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'status');
    writeFileSync(file, 'Name:\tnode\nCpus_allowed:\tf\nCpus_allowed_list:\t0-2,7\n');
    expect(allowedCpus(file)).toEqual([0, 1, 2, 7]);
  });
});

describe('planCpuSplit', () => {
  it('shares a small host under auto, and says how to split anyway', () => {
    const split = planCpuSplit([0, 1], { kind: 'auto' });
    expect(split.loadgen).toBeUndefined();
    expect(split.stack).toBeUndefined();
    expect(split.note).toMatch(/share CPUs 0-1.*--cpu-split/);
  });

  it('gives the generator a quarter of a larger host, the stack the rest', () => {
    const split = planCpuSplit([0, 1, 2, 3, 4, 5, 6, 7], { kind: 'auto' });
    expect(split.loadgen).toEqual([6, 7]);
    expect(split.stack).toEqual([0, 1, 2, 3, 4, 5]);
    expect(planCpuSplit([0, 1, 2, 3], { kind: 'auto' }).loadgen).toEqual([3]);
  });

  it('takes explicit sets, refusing CPUs the process may not use', () => {
    const split = planCpuSplit([0, 1], parseCpuSplit('1:0'));
    expect(split).toMatchObject({ loadgen: [1], stack: [0] });
    expect(() => planCpuSplit([0, 1], parseCpuSplit('2:0'))).toThrow(/CPU 2 is not available/);
    expect(planCpuSplit([0, 1], parseCpuSplit('0-1:1')).note).toMatch(/CPU 1 shared/);
  });

  it('parses the flag', () => {
    expect(parseCpuSplit('off')).toEqual({ kind: 'off' });
    expect(() => parseCpuSplit('1')).toThrow(/LOADGEN:STACK/);
    expect(planCpuSplit([0, 1], { kind: 'off' }).loadgen).toBeUndefined();
  });
});
