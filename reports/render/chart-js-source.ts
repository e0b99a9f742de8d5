import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * Chart.js's UMD build (node_modules/chart.js/dist/chart.umd.js), to inline into report.html so that the
 * page works offline and from file://. Resolved through the package's own entry point, so it works from
 * the sources and from dist/.
 */
export function chartJsSource(): string {
  if (cached === undefined) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    const source = readFileSync(join(dirname(entry), 'chart.umd.js'), 'utf8');
    // Either would end or confuse the inline <script> element.
    if (/<\/script|<!--/i.test(source))
      throw new Error('chart.umd.js contains "</script" or "<!--"; cannot inline it');
    cached = source;
  }
  return cached;
}
