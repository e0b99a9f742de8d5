import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../core/project-root.js';

/**
 * The collector over a recorded-format samples file of 1,000,000 requests, in a fresh Node process so its
 * peak RSS is the collector's own and not the bench's.
 */
export async function benchCollectorInChild(
  samples = 1_000_000,
): Promise<{ samplesPerS: number; peakRssMb: number; raw: unknown }> {
  const module = join(projectRoot(), 'dist', 'reports', 'collector', 'bench-collector.js');
  const script = `import(${JSON.stringify(module)}).then(async (m) => { const r = await m.benchCollector({ samples: ${samples} }); process.stdout.write(JSON.stringify(r)); })`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    maxBuffer: 1 << 20,
    timeout: 600_000,
  });
  const raw = JSON.parse(stdout) as { samplesPerS: number; peakRssMb: number };
  return { samplesPerS: raw.samplesPerS, peakRssMb: raw.peakRssMb, raw };
}
