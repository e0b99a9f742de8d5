import type { ExperimentResult } from '../../chaos/run-experiment.js';
import type { StackHandle } from '../../core/platform/platform.js';
import type { SampleCollector } from '../../reports/collector/sample-collector.js';
import type { ScenarioRecord } from '../../reports/run-result.js';
import type { MetricsScraper } from '../../runner/collectors/metrics-scraper.js';
import type { BatcherAutoscaler } from '../autoscale/batcher-autoscaler.js';
import type { RunPrometheus } from './start-prometheus.js';

/** What the steps of one pipeline run accumulate; the report is built from it whatever happened. */
export interface RunState {
  readonly startedAt: string;
  readonly collector: SampleCollector;
  readonly scenarios: ScenarioRecord[];
  readonly experiments: ExperimentResult[];
  readonly notes: string[];
  complete: boolean;
  stack: StackHandle | undefined;
  scraper: MetricsScraper | undefined;
  /** The run's own Prometheus (--prometheus), and the label selector of the run's series in it. */
  prometheus: RunPrometheus | undefined;
  /** The batchers' autoscaler, when the cluster config enables it on a stack the run brought up. */
  autoscaler?: BatcherAutoscaler | undefined;
  failure: unknown;
}

/** Marks the run incomplete with the reason in its notes. */
export function markIncomplete(state: RunState, note: string): void {
  state.complete = false;
  state.notes.push(note);
}
