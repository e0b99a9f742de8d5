import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// Scheduling classes for test processes (support/quiet-lane-neighbour.ts): which processes, and the class.

/** This process and every live descendant, from the kernel's process table. */
export function selfAndDescendants(root = process.pid): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) is in parentheses and may hold spaces: the parent pid follows its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++)
    for (const [pid, parent] of parentOf) if (parent === tree[i]) tree.push(pid);
  return tree;
}

/** Sets the scheduling class of every thread of these processes (chrt -a); a process gone meanwhile is skipped. */
export function schedule(pids: number[], policy: '--idle' | '--other') {
  for (const pid of pids) {
    try {
      execFileSync('chrt', ['-a', policy, '-p', '0', String(pid)], { stdio: 'ignore' });
    } catch (error) {
      // Without chrt (util-linux) the lanes still run, but the quiet one is no longer shielded: say so.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        console.warn('chrt not found (util-linux): shared integration files run at normal CPU priority');
        return;
      }
      // Otherwise the process exited meanwhile.
    }
  }
}
