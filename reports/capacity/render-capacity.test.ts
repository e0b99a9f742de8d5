import { describe, expect, it } from 'vitest';
import { renderCapacityHtml } from './render-capacity-html.js';
import { renderCapacityMarkdown } from './render-capacity-markdown.js';
import { exampleCapacity } from './testing/example-capacity.js';

describe('capacity renderers', () => {
  const result = exampleCapacity();

  it('capacity.md: headline, a row per topology, the trials with CIs, the model labelled as one', () => {
    const md = renderCapacityMarkdown(result);
    expect(md).toContain('**for 150 req/s at p99 < 300 ms: 2 nodes (headroom 16.7 %)**');
    expect(md).toMatch(/\| nodes=1 \| 2 \| 100 \| 105 \(fail\) \| 5 \| yes \| 400 \| 1 \| 105 \|/);
    expect(md).toMatch(/\| nodes=2 \| 4 \| 180 \| 189 \(fail\) \| 9 \| yes \| 360 \| 0\.9 \|/);
    expect(md).toContain('| 100 | 99.8 | 20 | pass | 125 [120, 130] | 250 [237.5, 275] |');
    expect(md).toContain('## Capacity model (a fit, not a measurement)');
    expect(md).toContain('it predicts 200 req/s for nodes=2; measured 180 req/s; error 11.1 %');
    expect(md).not.toContain('What the budget');
    const cut = renderCapacityMarkdown({
      ...result,
      complete: false,
      search: { ...result.search, gaveUp: ['nodes=2: not measured (interrupted)'] },
    });
    expect(cut).toContain('- nodes=2: not measured (interrupted)');
    expect(cut).toContain('**Incomplete: interrupted or a run failed.**');
  });

  it('capacity.md names the workload every run got, and nothing when the defaults ran', () => {
    expect(renderCapacityMarkdown(result)).not.toContain('scenario variables');
    const md = renderCapacityMarkdown({
      ...result,
      scenarioEnv: { PROMPT_TOKENS_MEAN: '1024', PREFIX_SHARE: '0.5' },
    });
    expect(md).toMatch(
      /output tokens a request; scenario variables PROMPT_TOKENS_MEAN=1024, PREFIX_SHARE=0\.5; /,
    );
  });

  it('capacity.html: self-contained, both charts, the data embedded, no way to fetch', () => {
    const html = renderCapacityHtml(result, { chartJs: '/* chart.js */' });
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('id="chart-latency"');
    expect(html).toContain('id="chart-scaling"');
    expect(html).toContain('for 150 req/s at p99 &lt; 300 ms: 2 nodes (headroom 16.7 %)');
    const embedded = /<script type="application\/json" id="capacity-data">(.*?)<\/script>/s.exec(html)?.[1];
    const data = JSON.parse(embedded ?? 'null') as { topologies: Array<{ name: string; trials: unknown[] }> };
    expect(data.topologies.map((t) => t.name)).toEqual(['nodes=1', 'nodes=2']);
    expect(data.topologies[0]?.trials).toHaveLength(3);
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('escapes what it embeds', () => {
    const nasty = exampleCapacity();
    const first = nasty.topologies[0];
    if (first) first.name = '</script><b>x';
    const html = renderCapacityHtml(nasty, { chartJs: '' });
    expect(html).not.toContain('</script><b>x');
  });
});
