import { join } from 'node:path';
import type { Command } from 'commander';
import { exitCodes } from '../../core/exit-codes.js';
import { compareRuns, hasRegression } from '../../reports/compare/compare-runs.js';
import { renderComparisonMarkdown } from '../../reports/compare/render-comparison.js';
import { readRunJson } from '../../reports/render/write-reports.js';
import { positiveNumber } from '../option-parsers.js';

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'compare two runs metric by metric with confidence intervals; exit 1 on a significant regression',
    )
    .argument('<base>', 'the baseline run folder')
    .argument('<new>', 'the run folder to judge')
    .option(
      '--tolerance <fraction>',
      'relative change that still counts as no regression',
      positiveNumber('--tolerance', 10),
      0.1,
    )
    .option('--json', 'print the comparison as JSON instead of Markdown')
    .action(async (base: string, next: string, flags: { tolerance: number; json?: boolean }) => {
      const [baseRun, nextRun] = await Promise.all([
        readRunJson(join(base, 'run.json')),
        readRunJson(join(next, 'run.json')),
      ]);
      const comparison = compareRuns(baseRun, nextRun, { tolerance: flags.tolerance });
      process.stdout.write(
        flags.json ? `${JSON.stringify(comparison, null, 2)}\n` : renderComparisonMarkdown(comparison),
      );
      process.exitCode = hasRegression(comparison) ? exitCodes.fail : exitCodes.pass;
    });
}
