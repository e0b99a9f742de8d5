import type { RunResult, ScenarioRecord } from '../run-result.js';
import { escapeHtml, mdCell, ms, num } from './format.js';

type ReplayRecord = NonNullable<ScenarioRecord['replay']>;

/** The replays of a run, in the order they ran. */
export function replaysOf(run: RunResult): Array<{ scenario: string; replay: ReplayRecord }> {
  return run.scenarios.flatMap((s) => (s.replay ? [{ scenario: s.name, replay: s.replay }] : []));
}

/** "40 of 40 trace requests scheduled, 40 sent, 40 recorded" */
export function replayCounts(r: ReplayRecord): string {
  return `${num(r.scheduledRequests, 0)} of ${num(r.traceRequests, 0)} trace requests scheduled, ${num(r.sentRequests, 0)} sent, ${num(r.recordedRequests, 0)} recorded`;
}

/** "p50 0.4 ms, p99 2.1 ms, max 3.0 ms (limit 100 ms: held)" */
export function replayScheduleError(r: ReplayRecord): string {
  const e = r.scheduleErrorMs;
  if (!e) return 'not measured';
  const held = e.max <= r.scheduleErrorLimitMs ? 'held' : 'exceeded: latency verdicts are inconclusive';
  return `p50 ${ms(e.p50)}, p99 ${ms(e.p99)}, max ${ms(e.max)} over ${num(e.n, 0)} requests (limit ${ms(r.scheduleErrorLimitMs)}: ${held})`;
}

/** Markdown lines of the replay section; none when the run replayed nothing. */
export function replayMarkdown(run: RunResult): string[] {
  const replays = replaysOf(run);
  if (replays.length === 0) return [];
  const out = ['### Trace replay', ''];
  out.push('| Scenario | Trace | Format | Speedup | Requests | Schedule error (send vs trace time) |');
  out.push('|---|---|---|---:|---|---|');
  for (const { scenario, replay: r } of replays) {
    out.push(
      `| ${mdCell(scenario)} | ${mdCell(r.trace)} | ${r.format} | ${num(r.speedup, 3)}x | ${replayCounts(r)} | ${mdCell(replayScheduleError(r))} |`,
    );
  }
  out.push('');
  return out;
}

/** The HTML section of the same table; empty when the run replayed nothing. */
export function replayHtml(run: RunResult): string {
  const replays = replaysOf(run);
  if (replays.length === 0) return '';
  const rows = replays
    .map(
      ({ scenario, replay: r }) =>
        `<tr><td>${escapeHtml(scenario)}</td><td>${escapeHtml(r.trace)}</td><td>${escapeHtml(r.format)}</td><td class="num">${num(r.speedup, 3)}x</td><td>${escapeHtml(replayCounts(r))}</td><td>${escapeHtml(replayScheduleError(r))}</td></tr>`,
    )
    .join('\n');
  return `
<section id="replay">
<h2>Trace replay</h2>
<table><thead><tr><th>Scenario</th><th>Trace</th><th>Format</th><th>Speedup</th><th>Requests</th><th>Schedule error (send vs trace time)</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}
