import autocannon from 'autocannon';
import { findKnee, type ProbeStep } from './knee.js';

export interface ProbeOptions {
  target: string;
  apiKey: string | undefined;
  /** Seconds per step; the whole probe stays under a minute with the default steps. */
  stepS?: number;
  connections?: number[];
  maxTokens?: number;
  log?: (line: string) => void;
}

export interface ProbeResult {
  steps: ProbeStep[];
  knee: ProbeStep | undefined;
  /** False when throughput still grew at the last step: the knee lies beyond what was probed. */
  saturated: boolean;
  /** Suggested open-model rates: half, three quarters and all of the knee's throughput. */
  suggestedRates: number[];
}

/**
 * A quick closed-loop saturation probe with autocannon: more connections each step, /infer requests, until
 * throughput stops growing. Closed-loop figures come from a generator that waits for answers (coordinated
 * omission by design), so they are NOT SLO evidence: they only pick the rates for open-model runs.
 */
export async function runProbe(options: ProbeOptions): Promise<ProbeResult> {
  const host = new URL(options.target).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new Error(`the probe only targets loopback addresses, not ${host}`);
  }
  const steps: ProbeStep[] = [];
  for (const connections of options.connections ?? [1, 4, 16, 64, 128, 256]) {
    const result = await autocannon({
      url: `${options.target}/infer`,
      method: 'POST',
      connections,
      duration: options.stepS ?? 6,
      headers: {
        'content-type': 'application/json',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify({
        prompt: 'A short probe prompt for the saturation probe.',
        max_tokens: options.maxTokens ?? 8,
      }),
    });
    const step: ProbeStep = {
      connections,
      throughputRps: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.non2xx,
    };
    steps.push(step);
    options.log?.(
      `${connections} connections: ${step.throughputRps.toFixed(1)} req/s, p50 ${step.p50Ms} ms, p99 ${step.p99Ms} ms, errors ${step.errors}`,
    );
    if (findKnee(steps) !== step && steps.length > 1) break;
  }
  const knee = findKnee(steps);
  const top = knee?.throughputRps ?? 0;
  return {
    steps,
    knee,
    saturated: knee !== steps.at(-1),
    suggestedRates: [0.5, 0.75, 1].map((f) => Math.max(1, Math.round(top * f))),
  };
}
