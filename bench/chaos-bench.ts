import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceMaxTokens } from '../chaos/experiments/reference-steady-state.js';
import { shippedExperimentCluster, shippedExperiments } from '../chaos/experiments/shipped-experiments.js';
import { clusterConfigSchema, resolveTopology } from '../core/config/cluster-config.js';
import { runChaos } from '../pipeline/chaos/run-chaos.js';
import { LocalPlatform } from '../platforms/local/local-platform.js';

/** Every shipped experiment on the reference stack (or the one it needs, see shippedExperimentCluster): detection, recovery and failed requests per fault. */
export async function benchChaos(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const experiment of shippedExperiments) {
    const dir = mkdtempSync(join(tmpdir(), `gauntlet-chaos-${experiment.id}-`));
    try {
      const { run, result } = await runChaos({
        experiment,
        platform: new LocalPlatform(),
        config: resolveTopology(clusterConfigSchema.parse(shippedExperimentCluster(experiment.id))),
        outDir: dir,
        command: ['bench', experiment.id],
        seed: 1,
        // What `gauntlet chaos` sends by default: the release gate's output length, which the SLOs assume.
        maxTokens: referenceMaxTokens,
      });
      out[experiment.id] = {
        verdict: run.verdict,
        status: result?.status,
        faults: (run.faults ?? []).map((f) => ({
          id: f.id,
          verdict: f.verdict,
          detectedAfterMs: f.detectedAfterMs,
          detection: f.detection?.status,
          recoveredAfterMs: f.recoveredAfterMs,
          // "held" (SLOs never left) and "not recovered" both have no time: the status tells them apart.
          recovery: f.recovery?.status,
          recoveryResolutionMs: f.recovery?.resolutionMs,
          failedRequests: f.failedRequests,
          streamsCut: f.streamsCut,
          lost: f.lostIds,
          duplicated: f.duplicatedIds,
        })),
        requests: run.collection.samples,
        report: dir,
      };
    } catch (error) {
      out[experiment.id] = { error: (error as Error).message };
    }
    process.stderr.write(`bench: chaos ${experiment.id}: ${JSON.stringify(out[experiment.id])}\n`);
  }
  return out;
}
