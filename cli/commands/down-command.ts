import type { Command } from 'commander';
import type { CleanupReport } from '../../core/platform/cleanup.js';
import { availablePlatforms } from '../../platforms/platform-registry.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop detached stacks and clean up whatever a crashed run left behind')
    .option('--all', 'also stop stacks still owned by a running gauntlet process')
    .option('--run <id>', 'only this run')
    .option('--json', 'print JSON')
    .action(async (flags: { all?: boolean; run?: string; json?: boolean }) => {
      const options = { all: flags.all ?? false, ...(flags.run ? { runId: flags.run } : {}) };
      // Every platform cleans up after its own stacks (processes, containers, namespaces).
      const reports: CleanupReport[] = [];
      for (const platform of await availablePlatforms()) reports.push(...(await platform.cleanup(options)));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ stopped: reports })}\n`);
        return;
      }
      if (reports.length === 0) process.stdout.write('nothing to stop\n');
      for (const r of reports) {
        if (r.reason === 'unrecorded') {
          process.stdout.write(
            `left alone: ${r.runId} on ${r.platform} has no record in this GAUNTLET_HOME (another home's run); ${r.hint ?? ''}\n`,
          );
          continue;
        }
        process.stdout.write(
          // The instances listed were still running when down found them; they are stopped now.
          `stopped ${r.runId} (${r.reason}) on ${r.platform}: ${r.stopped.length > 0 ? `${r.stopped.length} left running, now stopped (${r.stopped.join(', ')})` : 'nothing was left running'}\n`,
        );
      }
    });
}
