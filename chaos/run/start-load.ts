import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { MeasuredRequest } from '../measure/measured-request.js';
import { SamplesReader } from '../measure/samples-reader.js';
import type { RunPlan } from './run-plan.js';
import type { RunRecord } from './run-record.js';

/**
 * Step 2, attach: starts the load against the running stack and waits for its first request, from which
 * every fault time counts (not from the generator's start-up: k6 takes a while).
 */
export async function startLoad(plan: RunPlan, run: RunRecord): Promise<void> {
  const { experiment, stack, clock } = plan;
  const load = await plan.options.load.start({
    experimentId: experiment.id,
    scenario: experiment.load.scenario,
    rate: experiment.load.rate,
    durationS: experiment.load.durationS,
    ...(experiment.load.endpointMix ? { endpointMix: experiment.load.endpointMix } : {}),
    gatewayUrl: stack.gatewayUrl,
    apiKey: stack.apiKey,
    outDir: join(plan.options.outDir, 'load'),
  });
  run.load = load;
  load.done.then(
    () => run.loadEnded(clock.now()),
    (e: Error) => {
      run.loadEnded(clock.now());
      plan.log(`load ended with an error: ${e.message}`);
    },
  );
  const reader = new SamplesReader(load.samplesFile);
  run.reader = reader;
  run.loadStartMs = await firstRequestAt(
    reader,
    (batch) => run.take(batch),
    () => run.loadDone,
    clock,
    plan.options.firstSampleTimeoutMs ?? 60_000,
  );
  plan.log(`load started: ${experiment.load.rate} req/s for ${experiment.load.durationS} s`);
}

async function firstRequestAt(
  reader: SamplesReader,
  take: (batch: MeasuredRequest[]) => void,
  loadDone: () => boolean,
  clock: Clock,
  timeoutMs: number,
): Promise<number> {
  const deadline = clock.now() + timeoutMs;
  for (let i = 0; i < 100_000 && clock.now() < deadline; i++) {
    const batch = reader.read();
    if (batch.length > 0) {
      take(batch);
      return batch.reduce((min, r) => Math.min(min, r.t0), Number.POSITIVE_INFINITY);
    }
    if (loadDone()) break;
    await clock.sleep(50);
  }
  throw new Error(`the load recorded no request in ${reader.file} within ${timeoutMs} ms`);
}
