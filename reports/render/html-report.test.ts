import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleRun } from '../testing/example-run.js';
import { writeReports } from './write-reports.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
const CHART_IDS = ['chart-latency', 'chart-distribution', 'chart-rate', 'chart-server'];
const TIME_CHART_IDS = ['chart-latency', 'chart-rate', 'chart-server'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gauntlet-html-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface CanvasInfo {
  id: string;
  hasChart: boolean;
  datasets: number;
  paintedPixels: number;
  /** Pixels of the fault shade in a column in the middle of the fault window, and in one before it. */
  shadeInFault: number;
  shadeOutside: number;
}

describe('report.html in headless Chromium', () => {
  it('draws every chart with the fault window shaded, lists every SLO, and logs no errors', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} not found: run \`npm run setup\` to install Chromium, which this test needs`,
      );
    }
    const run = exampleRun({ samples: 8000, seed: 6, withFault: true, latencyScale: 1.5, errorRate: 0.002 });
    const paths = await writeReports(dir, run);
    const junit = await readFile(paths.junit, 'utf8');

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: 30_000,
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning')
          problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('request', (request) => requests.push(request.url()));

      await page.goto(pathToFileURL(paths.html).href, { waitUntil: 'load', timeout: 20_000 });
      await page.waitForFunction(
        () => document.documentElement.getAttribute('data-charts-ready') === '4',
        null,
        {
          timeout: 20_000,
        },
      );

      const fault = run.faults?.[0];
      if (!fault) throw new Error('example run has no fault');
      const canvases = await page.evaluate(
        ({ ids, timeIds, fromS, toS }) => {
          type ChartLike = {
            data: { datasets: unknown[] };
            chartArea: { left: number; right: number; top: number; bottom: number };
            scales: { x: { getPixelForValue(v: number): number } };
            currentDevicePixelRatio: number;
          };
          const ChartGlobal = (
            window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartLike | undefined } }
          ).Chart;
          return ids.map((id) => {
            const canvas = document.getElementById(id) as HTMLCanvasElement;
            const chart = ChartGlobal.getChart(canvas);
            const ctx = canvas.getContext('2d');
            if (!ctx || !chart)
              return { id, hasChart: false, datasets: 0, paintedPixels: 0, shadeInFault: 0, shadeOutside: 0 };
            const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) painted++;
            // The shade is rgba(220, 38, 38, 0.12): alpha ~31 where nothing else is drawn over it.
            const shadeInColumn = (x: number) => {
              const ratio = chart.currentDevicePixelRatio;
              const px = Math.round(x * ratio);
              let n = 0;
              for (
                let y = Math.ceil(chart.chartArea.top * ratio);
                y < Math.floor(chart.chartArea.bottom * ratio);
                y++
              ) {
                const o = (y * canvas.width + px) * 4;
                const [r, g, b, a] = [
                  pixels[o] ?? 0,
                  pixels[o + 1] ?? 0,
                  pixels[o + 2] ?? 0,
                  pixels[o + 3] ?? 0,
                ];
                if (a > 15 && a < 50 && r > 180 && g < 90 && b < 90) n++;
              }
              return n;
            };
            const timeChart = timeIds.includes(id);
            return {
              id,
              hasChart: true,
              datasets: chart.data.datasets.length,
              paintedPixels: painted,
              // Off the round numbers, where vertical grid lines would tint the column.
              shadeInFault: timeChart
                ? shadeInColumn(chart.scales.x.getPixelForValue(fromS + (toS - fromS) * 0.37))
                : 0,
              shadeOutside: timeChart ? shadeInColumn(chart.scales.x.getPixelForValue(fromS * 0.37)) : 0,
            };
          });
        },
        {
          ids: CHART_IDS,
          timeIds: TIME_CHART_IDS,
          fromS: fault.injectedAtS,
          toS: fault.revertedAtS ?? fault.injectedAtS + 1,
        },
      );

      for (const info of canvases as CanvasInfo[]) {
        expect(info.hasChart, `${info.id}: Chart instance`).toBe(true);
        expect(info.datasets, `${info.id}: datasets`).toBeGreaterThan(0);
        expect(info.paintedPixels, `${info.id}: painted pixels`).toBeGreaterThan(2000);
        if (TIME_CHART_IDS.includes(info.id)) {
          expect(info.shadeInFault, `${info.id}: fault shade inside the window`).toBeGreaterThan(50);
          expect(info.shadeOutside, `${info.id}: no shade outside the window`).toBe(0);
        }
      }

      const sloRows = await page.$$eval('#slo-table tbody tr', (rows) =>
        rows.map((r) => [r.getAttribute('data-slo-id'), r.getAttribute('data-verdict')]),
      );
      expect(sloRows).toEqual(run.slos.map((s) => [s.id, s.verdict]));
      expect(await page.$$eval('#fault-table tbody tr', (rows) => rows.length)).toBe(1);
      expect(await page.textContent('#run-verdict')).toBe(run.verdict.toUpperCase());

      // junit.xml is well-formed XML (the browser's parser is a strict one).
      const junitWellFormed = await page.evaluate(
        (xml) =>
          new DOMParser().parseFromString(xml, 'application/xml').getElementsByTagName('parsererror')
            .length === 0,
        junit,
      );
      expect(junitWellFormed).toBe(true);

      expect(problems).toEqual([]);
      expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
