import { benchBatchingGain, benchBringup, benchOverhead } from './stack-bench.js';

export interface BenchTarget {
  op: '<=' | '>=';
  value: number;
}

export interface BenchSection {
  name: string;
  targets: Record<string, BenchTarget>;
  run(): Promise<{ figures: Record<string, number>; details: unknown }>;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Each section names the figures the issues ask for, with their targets. */
export const benchSections: BenchSection[] = [
  {
    name: 'bringup',
    targets: { local_bringup_s: { op: '<=', value: 3 }, local_teardown_s: { op: '<=', value: 2 } },
    async run() {
      const r = await benchBringup();
      return { figures: { local_bringup_s: round(r.upS), local_teardown_s: round(r.downS) }, details: r };
    },
  },
  {
    name: 'overhead',
    targets: { stack_overhead_p99_ms: { op: '<=', value: 10 } },
    async run() {
      const r = await benchOverhead();
      return { figures: { stack_overhead_p99_ms: round(r.overheadP99Ms, 1) }, details: r };
    },
  },
  {
    name: 'batching',
    targets: { batching_gain: { op: '>=', value: 5 } },
    async run() {
      const r = await benchBatchingGain();
      return { figures: { batching_gain: round(r.gain) }, details: r };
    },
  },
];
