import { mdCell } from '../render/format.js';
import type { CapacityResult, CapacityTopology, CapacityTrial } from './capacity-result.js';

const ci = (e: CapacityTrial['e2eP99']) =>
  e === null ? 'n/a' : `${fmt(e.value)}${e.ci ? ` [${fmt(e.ci[0])}, ${fmt(e.ci[1])}]` : ' (no CI)'}`;
const fmt = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? 'n/a'
    : String(Math.round(x * 10 ** digits) / 10 ** digits);

/** capacity.md: the answer per topology, the trials behind each, the model (labelled as one), what was cut. */
export function renderCapacityMarkdown(result: CapacityResult): string {
  const lines: string[] = ['# Gauntlet capacity', ''];
  if (result.headline) lines.push(`**${result.headline.sentence}**`, '');
  lines.push(
    `Target: ${result.target}; mix ${result.mix}; ${result.maxTokens} output tokens a request${scenarioVars(result)}; ${result.search.runs} runs in ${fmt(result.search.usedS, 0)} s of a ${fmt(result.search.budgetS, 0)} s budget; resolution asked: ${result.search.resolutionPct} % of the rate (at least 1 req/s).${result.complete ? '' : ' **Incomplete: interrupted or a run failed.**'}`,
    '',
    `SLOs: ${result.slos.map((s) => `${s.id} (${s.metric}${s.stat ? ` ${s.stat}` : ''} ${s.op} ${s.threshold})`).join(', ')}. Max rate: the highest offered rate at which every SLO passed with 95 % confidence, below every rate that failed or was inconclusive.`,
    '',
    '| topology | GPUs | max rate (req/s) | next step | resolution | conclusive | tokens/s per GPU | scaling efficiency | knee (req/s) |',
    '| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |',
  );
  for (const t of result.topologies) {
    const next =
      t.nextRate === null
        ? 'none'
        : `${t.nextRate} (${t.trials.find((x) => x.offeredRate === t.nextRate)?.verdict ?? '?'})`;
    lines.push(
      `| ${mdCell(t.name)} | ${t.gpus} | ${fmt(t.maxRate, 0)} | ${next} | ${fmt(t.resolution, 0)} | ${t.conclusive ? 'yes' : 'no'} | ${fmt(t.tokensPerSPerGpu)} | ${fmt(t.scalingEfficiency, 2)} | ${fmt(t.knee.rate, 0)} |`,
    );
  }
  for (const t of result.topologies) lines.push('', ...topologySection(t));
  lines.push('', '## Capacity model (a fit, not a measurement)', '');
  if (!result.model) lines.push('No topology was measured conclusively, so there is no model.');
  else {
    const m = result.model;
    lines.push(`${m.formula}, fitted on ${m.fittedOn.join(', ')}. ${m.note}`, '');
    if (m.validation)
      lines.push(
        `Held-out check: fitted on ${m.validation.fittedOn.join(', ')} only, it predicts ${fmt(m.validation.predicted)} req/s for ${m.validation.heldOut}; measured ${fmt(m.validation.measured)} req/s; error ${fmt(m.validation.errorPct)} %.`,
        '',
      );
    if (m.predictions.length > 0) {
      lines.push('| nodes | GPUs | predicted max rate (req/s, model) |', '| ---: | ---: | ---: |');
      for (const p of m.predictions) lines.push(`| ${p.nodes} | ${p.gpus} | ${fmt(p.predictedMaxRate)} |`);
    }
  }
  if (result.search.gaveUp.length > 0) {
    lines.push('', '## What the budget or an interrupt cut', '');
    for (const g of result.search.gaveUp) lines.push(`- ${g}`);
  }
  if (result.notes.length > 0) {
    lines.push('', '## Notes', '');
    for (const n of result.notes) lines.push(`- ${n}`);
  }
  return `${lines.join('\n')}\n`;
}

function topologySection(t: CapacityTopology): string[] {
  const lines = [`## ${t.name}`, '', t.reason, ''];
  if (t.ramp)
    lines.push(
      `Ramp ${t.ramp.startRate} -> ${t.ramp.maxRate} req/s over ${t.ramp.durationS} s: ${t.ramp.reason} (a bracket only; ${t.ramp.runDir}).`,
      '',
    );
  lines.push(`Knee: ${t.knee.reason}.`, '');
  lines.push(
    '| offered (req/s) | achieved | main phase (s) | verdict | p50 e2e ms [95 % CI] | p99 e2e ms [95 % CI] | deciding SLO |',
    '| ---: | ---: | ---: | --- | --- | --- | --- |',
  );
  for (const x of [...t.trials].sort((a, b) => a.offeredRate - b.offeredRate))
    lines.push(
      `| ${x.offeredRate} | ${fmt(x.achievedRate)} | ${x.durationS} | ${x.verdict} | ${ci(x.e2eP50)} | ${ci(x.e2eP99)} | ${mdCell(x.deciding ?? '')} |`,
    );
  return lines;
}

/** The scenario variables every run got (workload flags, --env), or nothing when the defaults ran. */
function scenarioVars(result: CapacityResult): string {
  const vars = Object.entries(result.scenarioEnv ?? {});
  return vars.length === 0 ? '' : `; scenario variables ${vars.map(([k, v]) => `${k}=${v}`).join(', ')}`;
}
