import type { CollectorResult } from '../collector/sample-collector.js';
import { SampleCollector } from '../collector/sample-collector.js';
import { type SyntheticSampleOptions, syntheticSamples } from '../collector/synthetic-samples.js';
import type { LoadInfo } from './evaluate-slos.js';

/** A collector result from synthetic samples (tests only). */
export function collectSynthetic(options: SyntheticSampleOptions): CollectorResult {
  const collector = new SampleCollector();
  let text = '';
  for (const s of syntheticSamples(options)) text += `${JSON.stringify(s)}\n`;
  collector.ingestChunk(Buffer.from(text));
  return collector.result();
}

/** A generator that kept its schedule exactly. */
export function onSchedule(result: CollectorResult, targetRate = 200): LoadInfo {
  return {
    targetRate,
    achievedRate: targetRate,
    droppedIterations: 0,
    maxSchedulingLagMs: 2,
    durationS: result.durationS,
  };
}
