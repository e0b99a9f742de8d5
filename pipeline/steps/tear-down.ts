import type { RunState } from './run-state.js';
import { closeRunPrometheus } from './start-prometheus.js';

/**
 * Tears down what the run started, in order: scrapes first (they would only see components going away),
 * then the stack. Load and faults have been stopped and rolled back by their own steps before this.
 */
export async function tearDown(state: RunState, log: (message: string) => void = () => {}): Promise<void> {
  // Every fault is rolled back by now: the harness series' last scrape must come after this.
  const faultsSettledAt = Date.now();
  await state.autoscaler?.stop();
  state.autoscaler = undefined;
  await state.scraper?.stop();
  state.scraper = undefined;
  const stack = state.stack;
  state.stack = undefined;
  await stack?.down();
  // Last: its TSDB (kept in the run folder) should hold the stack's final moments too.
  const prometheus = state.prometheus;
  state.prometheus = undefined;
  if (prometheus) await closeRunPrometheus(prometheus, faultsSettledAt, log);
}
