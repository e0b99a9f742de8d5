import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../core/project-root.js';
import { type BenchTarget, benchSections } from './sections.js';

/**
 * `npm run bench`: measures side by side in one run and writes bench/results.json (figures, targets,
 * pass/miss per figure, and the raw details) and prints a table. Not a test: speed is measured, not asserted.
 * `--only a,b` runs some sections; their figures replace those keys in the existing results file. Each
 * figure and each section carries the time it was measured, so that a file written by several `--only`
 * runs never dates an old figure by the newest run.
 */
async function main(): Promise<void> {
  const onlyIndex = process.argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',')) : undefined;
  process.env.GAUNTLET_HOME ??= join(projectRoot(), '.gauntlet', 'bench');
  const file = join(projectRoot(), 'bench', 'results.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchFile) : undefined;
  const machine = `${(await import('node:os')).cpus().length} cores, Node ${process.versions.node}`;
  const results: BenchFile = {
    writtenAt: new Date().toISOString(),
    machine,
    sections: { ...(only ? previous?.sections : {}) },
    figures: { ...(only ? previous?.figures : {}) },
    details: { ...(only ? previous?.details : {}) },
  };
  for (const section of benchSections) {
    if (only && !only.has(section.name)) continue;
    process.stderr.write(`bench: ${section.name}...\n`);
    const started = Date.now();
    const measuredAt = new Date(started).toISOString();
    try {
      const { figures, details } = await section.run();
      for (const [key, value] of Object.entries(figures)) {
        results.figures[key] = {
          value,
          target: section.targets[key],
          met: meets(value, section.targets[key]),
          measuredAt,
        };
      }
      results.details[section.name] = details;
      results.sections[section.name] = { measuredAt, machine, durationS: (Date.now() - started) / 1000 };
    } catch (error) {
      results.details[section.name] = { error: (error as Error).message };
      results.sections[section.name] = { measuredAt, machine, error: (error as Error).message };
      process.stderr.write(`bench: ${section.name} failed: ${(error as Error).message}\n`);
    }
    process.stderr.write(`bench: ${section.name} done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  mkdirSync(join(projectRoot(), 'bench'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
}

interface BenchFile {
  /** When the file was last written (by a full run or an `--only` run). */
  writtenAt: string;
  machine: string;
  /** Per section: when it ran, on what, for how long (or why it failed). */
  sections: Record<string, { measuredAt: string; machine: string; durationS?: number; error?: string }>;
  figures: Record<
    string,
    { value: number; target: BenchTarget | undefined; met: boolean | undefined; measuredAt: string }
  >;
  details: Record<string, unknown>;
}

function meets(value: number, target: BenchTarget | undefined): boolean | undefined {
  if (!target) return undefined;
  return target.op === '<=' ? value <= target.value : value >= target.value;
}

function printTable(results: BenchFile): void {
  const rows = Object.entries(results.figures).map(([key, f]) => [
    key,
    String(f.value),
    f.target ? `${f.target.op} ${f.target.value}` : '',
    f.met === undefined ? '' : f.met ? 'met' : 'MISSED',
    f.measuredAt?.slice(0, 16) ?? '',
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), 8));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 8)).join('  ');
  process.stdout.write(`${line(['figure', 'value', 'target', '', 'measured at'])}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
  process.stdout.write(`written to bench/results.json\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
