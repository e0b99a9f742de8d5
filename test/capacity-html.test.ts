import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { exampleCapacity } from '../reports/capacity/testing/example-capacity.js';
import { writeCapacityReports } from '../reports/capacity/write-capacity-reports.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
];

describe('capacity.html in headless Chromium', () => {
  it('draws latency vs offered rate and max rate vs nodes, fetches nothing, logs no errors', async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} not found: run \`npm run setup\` to install Chromium, which this test needs`,
      );
    const dir = mkdtempSync(join(tmpdir(), 'gauntlet-capacity-html-'));
    const paths = writeCapacityReports(dir, exampleCapacity());
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: 30_000,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(paths.html).href, { waitUntil: 'load', timeout: 20_000 });
      const charts = await page.evaluate(
        (ids) => {
          type ChartLike = { data: { datasets: Array<{ label: string; data: unknown[] }> } };
          const ChartGlobal = (
            window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }
          ).Chart;
          return ids.map((id) => {
            const canvas = document.getElementById(id) as HTMLCanvasElement;
            const chart = ChartGlobal.getChart(canvas);
            const pixels =
              canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
            return {
              id,
              labels: chart?.data.datasets.map((d) => `${d.label}:${d.data.length}`) ?? [],
              painted,
            };
          });
        },
        ['chart-latency', 'chart-scaling'],
      );
      expect(problems).toEqual([]);
      expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
      const [latency, scaling] = charts;
      // Per topology: p50 and p99, each a line with its CI band (low and high edge): 6 datasets of 3 trials.
      expect(latency?.labels).toContain('nodes=1 p99 e2e:3');
      expect(latency?.labels).toContain('nodes=2 p50 CI:3');
      expect(latency?.labels).toHaveLength(12);
      expect(scaling?.labels).toEqual(['measured max rate:2', 'model (a fit, not measured):4']);
      for (const chart of charts) expect(chart.painted, chart.id).toBeGreaterThan(1000);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
