import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type OutcomeWords, renderReproMarkdown } from '../../reports/compare/render-repro.js';
import type { ReproVerdict } from '../../reports/compare/repro-verdict.js';

/** `<name>.json` and `<name>.md` in dir: the outcome with its reasons, the warnings and every comparison. */
export async function writeReproReport(
  dir: string,
  name: 'repro' | 'ab',
  verdict: ReproVerdict,
  warnings: readonly string[],
  words: OutcomeWords,
  runs: Record<string, string>,
): Promise<{ json: string; md: string }> {
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  const record = {
    schemaVersion: 1,
    outcome: verdict.outcome,
    reasons: verdict.reasons,
    warnings,
    runs,
    tolerance: verdict.comparison.tolerance,
    differences: verdict.differences,
    sloChanges: verdict.sloChanges,
    resolution: verdict.resolution,
    comparison: verdict.comparison,
  };
  await writeFile(json, `${JSON.stringify(record, null, 2)}\n`);
  await writeFile(md, renderReproMarkdown(verdict, warnings, words));
  return { json, md };
}
