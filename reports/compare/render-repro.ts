import { mdCell } from '../render/format.js';
import { renderComparisonMarkdown } from './render-comparison.js';
import type { ReproOutcome, ReproVerdict } from './repro-verdict.js';

/** How `repro` and `ab` name the three outcomes. */
export interface OutcomeWords {
  /** e.g. "Gauntlet repro" */
  title: string;
  words: Record<ReproOutcome, string>;
}

export const reproWords: OutcomeWords = {
  title: 'Gauntlet repro',
  words: { reproduced: 'reproduced', 'not reproduced': 'not reproduced', inconclusive: 'inconclusive' },
};

export const abWords: OutcomeWords = {
  title: 'Gauntlet ab',
  words: {
    reproduced: 'B does not differ significantly from A',
    'not reproduced': 'B differs significantly from A',
    inconclusive: 'inconclusive',
  },
};

/** The few lines printed at the end: the outcome, why, and what else differed between the runs. */
export function reproSummary(
  verdict: ReproVerdict,
  warnings: readonly string[],
  words: OutcomeWords,
): string {
  const lines = [`${words.title}: ${words.words[verdict.outcome]}`];
  for (const reason of verdict.reasons) lines.push(`  ${reason}`);
  for (const warning of warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

/** The same as Markdown, with the whole metric-by-metric comparison below. */
export function renderReproMarkdown(
  verdict: ReproVerdict,
  warnings: readonly string[],
  words: OutcomeWords,
): string {
  const out = [`# ${words.title}: ${words.words[verdict.outcome].toUpperCase()}`, ''];
  for (const reason of verdict.reasons) out.push(`- ${mdCell(reason)}`);
  if (warnings.length > 0) {
    out.push('', '**Differences besides the stack** (any of them can explain a difference):', '');
    for (const warning of warnings) out.push(`- ${mdCell(warning)}`);
  }
  out.push('', '| statistic | resolved to | within tolerance |', '|---|---:|---|');
  for (const r of verdict.resolution) {
    const hidden = r.hidden === null ? 'no interval' : `${(r.hidden * 100).toFixed(1)} %`;
    out.push(`| ${r.stat} ${r.metric} (${r.endpoint}) | ${hidden} | ${r.resolved ? 'yes' : 'no'} |`);
  }
  out.push('', renderComparisonMarkdown(verdict.comparison).replace(/^## /, '## Metrics: '));
  return out.join('\n');
}
