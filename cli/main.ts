import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { exitCodes } from '../core/exit-codes.js';
import { projectRoot } from '../core/project-root.js';
import { reportError } from './cli-error.js';
import { registerCapacity } from './commands/capacity-command.js';
import { registerChaos } from './commands/chaos-command.js';
import { registerCompare } from './commands/compare-command.js';
import { registerDown } from './commands/down-command.js';
import { registerGate } from './commands/gate-command.js';
import { registerProbe } from './commands/probe-command.js';
import { registerReport } from './commands/report-command.js';
import { registerRepro } from './commands/repro-command.js';
import { registerRun } from './commands/run-command.js';
import { registerStatus } from './commands/status-command.js';
import { registerUp } from './commands/up-command.js';

export function buildProgram(): Command {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  const program = new Command('gauntlet')
    .description('Load testing and chaos validation for LLM inference clusters')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerUp(program);
  registerStatus(program);
  registerDown(program);
  registerRun(program);
  registerGate(program);
  registerReport(program);
  registerCompare(program);
  registerChaos(program);
  registerProbe(program);
  registerRepro(program);
  registerCapacity(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.pass;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed help, the version, or the usage error.
      return error.exitCode === 0 ? 0 : exitCodes.error;
    }
    return reportError(error);
  }
}
