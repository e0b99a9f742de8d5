import type { Command } from 'commander';
import { cleanupStacks } from '../../platforms/state/cleanup.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop detached stacks and clean up whatever a crashed run left behind')
    .option('--all', 'also stop stacks still owned by a running gauntlet process')
    .option('--run <id>', 'only this run')
    .option('--json', 'print JSON')
    .action(async (flags: { all?: boolean; run?: string; json?: boolean }) => {
      const reports = await cleanupStacks({
        all: flags.all ?? false,
        ...(flags.run ? { runId: flags.run } : {}),
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ stopped: reports })}\n`);
        return;
      }
      if (reports.length === 0) process.stdout.write('nothing to stop\n');
      for (const r of reports) {
        process.stdout.write(
          `stopped ${r.runId} (${r.reason}): ${r.killed.length} process(es) were still running\n`,
        );
      }
    });
}
