import { Counter, Rate, Trend } from 'k6/metrics';
import type { MetricValues } from '../build-sample.ts';

// Created at import, which k6 runs in the init context (the only place metrics can be declared).
const e2e = new Trend('gauntlet_e2e_ms', true);
const ttft = new Trend('gauntlet_ttft_ms', true);
const itl = new Trend('gauntlet_itl_ms', true);
const tpot = new Trend('gauntlet_tpot_ms', true);
/** How late an iteration started against its arrival schedule (coordinated-omission evidence). */
const scheduleLag = new Trend('gauntlet_schedule_lag_ms', true);
const outputTokens = new Counter('gauntlet_output_tokens');
const errors = new Rate('gauntlet_errors');
const errorsByKind = new Counter('gauntlet_errors_by_kind');
/** Requests that k6 interrupted because the run was ending; not samples, not errors. */
const canceled = new Counter('gauntlet_canceled');

export function addRequestMetrics(values: MetricValues, endpoint: string): void {
  const tags = { ep: endpoint };
  if (values.e2eMs !== undefined) e2e.add(values.e2eMs, tags);
  if (values.ttftMs !== undefined) ttft.add(values.ttftMs, tags);
  for (const gap of values.itlMs) itl.add(gap, tags);
  if (values.tpotMs !== undefined) tpot.add(values.tpotMs, tags);
  if (values.outputTokens > 0) outputTokens.add(values.outputTokens, tags);
  errors.add(values.error !== undefined, tags);
  if (values.error !== undefined) errorsByKind.add(1, { ep: endpoint, kind: values.error });
}

export function addScheduleLag(lagMs: number): void {
  scheduleLag.add(lagMs);
}

/** Streams whose client gave up on purpose midway (CANCEL_SHARE); not samples, not errors. */
const clientCancels = new Counter('gauntlet_client_cancels');

export function addClientCancel(endpoint: string): void {
  clientCancels.add(1, { ep: endpoint });
}

export function addCanceled(endpoint: string): void {
  canceled.add(1, { ep: endpoint });
}
