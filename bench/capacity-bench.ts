import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelledCapacityPerS } from '../pipeline/capacity/modelled-capacity.js';
import { runCapacity } from '../pipeline/capacity/run-capacity.js';
import { parseTopologies } from '../pipeline/capacity/topologies.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';
import type { CapacityResult } from '../reports/capacity/capacity-result.js';
import { loadDefaultSlos } from '../reports/slo/load-slos.js';

export interface CapacityBenchOptions {
  topologies?: string;
  budgetS?: number;
  rampDurationS?: number;
}

/**
 * The done-when search: `gauntlet capacity --platform local --topologies nodes=1,2 --budget 15m`
 * with the default SLOs and mix; how many runs it took, its wall time, and what it found.
 */
export async function benchCapacity(
  options: CapacityBenchOptions = {},
): Promise<{ runs: number; wallS: number; result: CapacityResult; outDir: string }> {
  const outDir = mkdtempSync(join(tmpdir(), 'gauntlet-capacity-bench-'));
  const platform = new LocalPlatform();
  const started = performance.now();
  const result = await runCapacity({
    topologies: parseTopologies(options.topologies ?? 'nodes=1,2').map((t) => ({
      ...t,
      target: { platform: { platform, config: t.config, readyTimeoutMs: 60_000 } },
    })),
    targetLabel: 'platform local',
    slos: loadDefaultSlos(),
    mix: 'infer:0.5,chat_stream:0.5',
    maxTokens: 8,
    seed: 1,
    budgetS: options.budgetS ?? 900,
    resolutionPct: 5,
    rampMaxRate: (t) => 1.5 * modelledCapacityPerS(t.config, 64, 8),
    rampDurationS: options.rampDurationS ?? 40,
    warmupS: 5,
    minTrialS: 10,
    outDir,
    command: ['bench', 'capacity'],
    log: (m) => process.stderr.write(`${m}\n`),
  });
  return { runs: result.search.runs, wallS: (performance.now() - started) / 1000, result, outDir };
}
