import { describe, expect, it } from 'vitest';
import { exampleRun } from '../testing/example-run.js';
import { abWords, renderReproMarkdown, reproSummary, reproWords } from './render-repro.js';
import { reproVerdict } from './repro-verdict.js';

const verdict = reproVerdict(
  exampleRun({ samples: 6_000, seed: 51 }),
  exampleRun({ samples: 6_000, seed: 52, latencyScale: 1.5 }),
);

describe('repro renderers', () => {
  it('print the outcome in the words of the command, the reasons and the warnings', () => {
    const text = reproSummary(verdict, ['k6 version differs: a originally, b now'], reproWords);
    expect(text.split('\n')[0]).toBe('Gauntlet repro: not reproduced');
    expect(text).toMatch(/^ {2}p50 e2e \(infer\): .* \(worse in the rerun\)$/m);
    expect(text).toMatch(/^ {2}warning: k6 version differs: a originally, b now$/m);
    expect(reproSummary(verdict, [], abWords).split('\n')[0]).toBe(
      'Gauntlet ab: B differs significantly from A',
    );
  });

  it('render Markdown with the outcome, the resolution of each body statistic and every comparison', () => {
    const md = renderReproMarkdown(verdict, [], reproWords);
    expect(md).toMatch(/^# Gauntlet repro: NOT REPRODUCED$/m);
    expect(md).toMatch(/^\| p50 e2e \(infer\) \| \d+\.\d % \| (yes|no) \|$/m);
    expect(md).toMatch(/^## Metrics: Gauntlet compare: REGRESSION$/m);
  });
});
