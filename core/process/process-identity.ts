import { readFileSync } from 'node:fs';

/**
 * A pid plus its start time (clock ticks since boot, field 22 of /proc/PID/stat). Pids are reused; the pair
 * is not, so clean-up after a crash never signals a stranger's process that got the same pid.
 */
export interface ProcessIdentity {
  pid: number;
  startTicks: number;
}

export function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Process state letter from /proc (R, S, D, T stopped, Z zombie, ...), or undefined if gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** True when the process exists, is not a zombie, and is the same process that was recorded. */
export function isSameProcessAlive(identity: ProcessIdentity): boolean {
  const state = processState(identity.pid);
  if (state === undefined || state === 'Z' || state === 'X') return false;
  return startTicksOf(identity.pid) === identity.startTicks;
}

export function identityOf(pid: number): ProcessIdentity | undefined {
  const startTicks = startTicksOf(pid);
  return startTicks === undefined ? undefined : { pid, startTicks };
}
