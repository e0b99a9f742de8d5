import { describe, expect, it } from 'vitest';
import { runResultSchema } from '../run-result.js';
import { exampleRun } from '../testing/example-run.js';
import { renderHtml } from './render-html.js';
import { renderJson } from './render-json.js';
import { renderJunit } from './render-junit.js';
import { renderMarkdown } from './render-markdown.js';

const healthy = exampleRun({ samples: 6000, seed: 3 });
// 3x slower, a fault, dropped iterations: every verdict kind at once.
const troubled = exampleRun({ samples: 6000, seed: 4, latencyScale: 4, withFault: true, errorRate: 0.01 });
const behind = exampleRun({ samples: 3000, seed: 5, droppedIterations: 400, complete: false });

describe('renderers', () => {
  it('build run results that validate against the run.json schema and survive JSON', () => {
    for (const run of [healthy, troubled, behind]) {
      const parsed = runResultSchema.parse(JSON.parse(renderJson(run)));
      expect(parsed).toEqual(JSON.parse(JSON.stringify(run)));
    }
    expect(healthy.verdict).toBe('pass');
    expect(troubled.verdict).toBe('fail');
    // Dropped iterations: latency SLOs inconclusive, and the achieved rate (0.88 of target) fails.
    expect(behind.slos.map((s) => s.verdict)).toEqual(['inconclusive', 'inconclusive', 'pass', 'fail']);
    expect(behind.slos[1]?.reason).toMatch(
      /^load generator fell behind its schedule \(400 of 3400 iterations dropped\)/,
    );
    // Errors are counted whatever the schedule: 3,000 requests show the default's < 1 %.
    expect(behind.slos[2]?.id).toBe('error-rate');
    expect(behind.verdict).toBe('fail');
    // An aborted run is never a pass.
    expect(exampleRun({ samples: 3000, seed: 3, complete: false }).verdict).toBe('inconclusive');
    expect(behind.notes).toContain(
      'incomplete run: it was aborted; the figures cover what was measured until then',
    );
  });

  it('junit: a failure with evidence for fail, skipped for inconclusive, an error for an aborted run', () => {
    const xml = renderJunit(troubled);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const failing = troubled.slos.filter((s) => s.verdict === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    for (const slo of troubled.slos) expect(xml).toContain(`name="${slo.id}: `);
    expect(xml).toMatch(
      /<failure type="fail" message="p99 e2e [^"]+ entirely violates &lt; 300 ms">objective: p99 e2e \(infer\) &lt; 300 ms\nobserved: /,
    );
    expect(xml).toContain('<testsuite name="gauntlet.faults" tests="1" failures="1"');
    expect(xml).toContain(`failures="${failing.length}"`);

    const inconclusive = renderJunit(behind);
    expect(inconclusive).toContain(
      '<skipped message="inconclusive: load generator fell behind its schedule (400 of 3400 iterations dropped)',
    );
    expect(inconclusive).toContain('<error type="incomplete"');
    expect(renderJunit(healthy)).toMatch(/<testsuites [^>]*failures="0" errors="0" skipped="0"/);
  });

  it('markdown: verdict line in words, SLO table with observed, CI, n; metrics; faults; notes', () => {
    const md = renderMarkdown(troubled);
    expect(md).toMatch(
      /^## Gauntlet run `run-20250115-120000-example`: FAIL\n\n\*\*Verdict: FAIL\*\* - SLOs: \d pass, \d fail, \d inconclusive\./,
    );
    expect(md).toContain('| Verdict | SLO | Objective | Observed | 95% CI | n | Reason |');
    expect(md).toMatch(
      /\| FAIL \| infer-p99-e2e \| p99 e2e \(infer\) < 300 ms \| [\d,.]+ ms \| [\d,.]+ ms \.\. [\d,.]+ ms \| [\d,]+ \|/,
    );
    expect(md).toContain('### Faults');
    expect(md).toMatch(/\| FAIL \| kill-worker-1 \| kill \| worker-1 \|/);
    expect(md).toMatch(/\| \*\*all\*\* \| 6,000 \|/);
    // No emoji: status words only.
    expect(md).not.toMatch(/\p{Extended_Pictographic}/u);
    const incomplete = renderMarkdown(behind);
    expect(incomplete).toContain('(INCOMPLETE RUN)');
    expect(incomplete).toContain('- incomplete run: it was aborted');
  });

  it('html: self-contained, data embedded, every SLO a row, no external resource', () => {
    const html = renderHtml(troubled);
    expect(html).toContain('Chart.js v4');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    expect(html).toContain("default-src 'none'");
    for (const slo of troubled.slos) expect(html).toContain(`data-slo-id="${slo.id}"`);
    expect(html).toContain('data-fault-id="kill-worker-1"');
    const data = html.match(/<script type="application\/json" id="gauntlet-data">(.*?)<\/script>/s)?.[1];
    const parsed = JSON.parse(data ?? 'null') as { faults: unknown[]; timeline: { t: number[] } };
    expect(parsed.faults).toHaveLength(1);
    expect(parsed.timeline.t.length).toBe(troubled.timeline.length);
    // A hostile run id cannot break out of the page.
    const hostile = renderHtml({ ...healthy, runId: '</script><script>alert(1)</script>' });
    expect(hostile).not.toContain('<script>alert(1)');
  });
});
