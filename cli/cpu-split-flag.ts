import { type Command, InvalidArgumentError } from 'commander';
import { allowedCpus, type CpuSplitPolicy, parseCpuSplit, planCpuSplit } from '../core/process/cpu-set.js';

/** --cpu-split on the commands that bring a stack up (run, gate, chaos). */
export function withCpuSplitFlag(command: Command): Command {
  return command.option(
    '--cpu-split <split>',
    'CPUs for the load generator and the stack: auto (apart when the host has 4 or more), off, or LOADGEN:STACK lists, e.g. 3:0-2',
    (value: string): CpuSplitPolicy => {
      try {
        const policy = parseCpuSplit(value);
        planCpuSplit(allowedCpus(), policy); // refuses CPUs this process may not use, before anything starts
        return policy;
      } catch (error) {
        throw new InvalidArgumentError((error as Error).message);
      }
    },
  );
}
