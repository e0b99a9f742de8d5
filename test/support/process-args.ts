import { readdirSync, readFileSync } from 'node:fs';

/**
 * Pids of every live process with this exact argument on its command line (read from /proc): how a test
 * finds what a CLI run started without being told its pids, e.g. the run's Prometheus by its config file.
 */
export function processesWithArg(arg: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(arg);
      } catch {
        return false; // gone while we looked
      }
    })
    .map(Number);
}
