import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleRun } from '../testing/example-run.js';
import { appendGithubStepSummary, fitStepSummary } from './github-step-summary.js';
import { renderMarkdown } from './render-markdown.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-step-summary-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('appendGithubStepSummary', () => {
  it('appends summary.md to the file GITHUB_STEP_SUMMARY names, after what earlier steps wrote', async () => {
    const run = exampleRun({ samples: 1000, seed: 3 });
    const file = join(dir, 'step_summary');
    await writeFile(file, '# from an earlier step\n');
    expect(await appendGithubStepSummary(run, { GITHUB_STEP_SUMMARY: file })).toBe(file);
    const written = await readFile(file, 'utf8');
    expect(written.startsWith('# from an earlier step\n')).toBe(true);
    expect(written.slice('# from an earlier step\n'.length)).toBe(renderMarkdown(run));
    expect(written).toContain(`## Gauntlet run \`${run.runId}\``);
  });

  it('writes nothing outside GitHub Actions', async () => {
    const run = exampleRun({ samples: 100, seed: 3 });
    expect(await appendGithubStepSummary(run, {})).toBeUndefined();
    expect(await appendGithubStepSummary(run, { GITHUB_STEP_SUMMARY: '' })).toBeUndefined();
  });

  it('warns instead of failing the run when the file cannot be written', async () => {
    const run = exampleRun({ samples: 100, seed: 3 });
    const warnings: string[] = [];
    const result = await appendGithubStepSummary(run, { GITHUB_STEP_SUMMARY: dir }, (m) => warnings.push(m));
    expect(result).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringContaining(`could not append to GITHUB_STEP_SUMMARY (${dir}): EISDIR`),
    ]);
  });
});

describe('fitStepSummary', () => {
  it('passes a summary under the limit unchanged and cuts a longer one at a line end, saying so', () => {
    expect(fitStepSummary('| a |\n', 100)).toBe('| a |\n');
    expect(fitStepSummary('no newline', 100)).toBe('no newline\n');
    const long = Array.from({ length: 200 }, (_, i) => `| row ${i} | ü |`).join('\n');
    const fitted = fitStepSummary(long, 1000);
    expect(Buffer.byteLength(fitted)).toBeLessThanOrEqual(1000);
    expect(fitted).toMatch(/^\| row 0 \| ü \|\n/);
    expect(fitted).toMatch(/\| row \d+ \| ü \|\n\n_\(summary cut to fit the GitHub step summary limit/);
  });
});
