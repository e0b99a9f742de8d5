import type { Command } from 'commander';
import { rerenderReports } from '../../reports/render/write-reports.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('re-render junit.xml, summary.md and report.html of a run folder from its run.json')
    .argument('<dir>', 'a run folder (holds run.json)')
    .action(async (dir: string) => {
      const paths = await rerenderReports(dir);
      process.stdout.write(`${Object.values(paths).join('\n')}\n`);
    });
}
