import { join } from 'node:path';
import { projectRoot } from '../../core/project-root.js';
import type { RunPart } from '../pipeline-options.js';

export interface SuiteOptions {
  /** The rated request rate the release is expected to hold. */
  rate: number;
  seed: number;
  endpointMix: string;
  maxTokens: number;
}

export interface Suite {
  name: string;
  description: string;
  sloFile: string;
  parts(options: SuiteOptions): RunPart[];
  /** Run the failover part (a worker kill under load, on a fresh stack) after the load parts. */
  failover: boolean;
}

const slo = (name: string) => join(projectRoot(), 'reports', 'slo', name);

const part = (
  scenario: RunPart['scenario'],
  rate: number,
  durationS: number,
  o: SuiteOptions,
  env: Record<string, string> = {},
): RunPart => ({
  scenario,
  rate,
  durationS,
  seed: o.seed,
  endpointMix: o.endpointMix,
  maxTokens: o.maxTokens,
  env,
});

/**
 * Named suites of `gauntlet gate`. Sizes are chosen so a healthy stack gets conclusive verdicts: every p99
 * needs >= 563 samples in its scope and a 0.1 % error rate needs ~3,900 clean requests.
 */
export const suites: Record<string, Suite> = {
  release: {
    name: 'release',
    description:
      'smoke, load at the rated rate, a 5x spike and recovery (about 3 minutes at the default rate)',
    sloFile: slo('release-gate-slos.yaml'),
    parts: (o) => [
      part('smoke', 2, 10, o),
      part('load', o.rate, 60, o, { WARMUP: '10s' }),
      part('spike', o.rate, 20, o, { WARMUP: '5s', SPIKE_DURATION: '10s', RECOVERY: '60s' }),
    ],
    failover: true,
  },
  quick: {
    name: 'quick',
    description: 'one 30 s load run at the rated rate, for pre-merge checks (about 40 s)',
    sloFile: slo('quick-gate-slos.yaml'),
    parts: (o) => [part('load', o.rate, 25, o, { WARMUP: '5s' })],
    failover: false,
  },
  failover: {
    name: 'failover',
    description: 'the quick load run, then a worker killed under load (about 1.5 minutes)',
    sloFile: slo('quick-gate-slos.yaml'),
    parts: (o) => [part('load', o.rate, 25, o, { WARMUP: '5s' })],
    failover: true,
  },
};
