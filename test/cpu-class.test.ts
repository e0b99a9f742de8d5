import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schedule, selfAndDescendants } from './support/cpu-class.js';

/** The kernel's scheduling policy of a process: 0 normal (SCHED_OTHER), 5 SCHED_IDLE. */
const policy = (pid: number) =>
  Number(/^policy\s+:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/sched`, 'utf8'))?.[1]);

// What keeps the shared integration files off the quiet lane's CPU (support/quiet-lane-neighbour.ts).
describe('test processes in the idle scheduling class', () => {
  it('moves a process tree to SCHED_IDLE and back, a grandchild included', async () => {
    const shell = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    let tree: number[] = [];
    try {
      for (let i = 0; i < 100 && tree.length < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        tree = selfAndDescendants(shell.pid);
      }
      expect(tree).toHaveLength(2);
      schedule(tree, '--idle');
      expect(tree.map(policy)).toEqual([5, 5]);
      schedule(tree, '--other');
      expect(tree.map(policy)).toEqual([0, 0]);
    } finally {
      for (const pid of tree.slice(1)) process.kill(pid, 'SIGKILL');
      shell.kill('SIGKILL');
    }
  });
});
