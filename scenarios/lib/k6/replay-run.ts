import { sleep } from 'k6';
import { SharedArray } from 'k6/data';
import exec from 'k6/execution';
import { nowUnixMs, record } from 'k6/x/gauntlet';
import { metricValues } from '../build-sample.ts';
import type { GauntletConfig } from '../config.ts';
import { planReplayRequest } from '../replay-request.ts';
import { parseReplaySchedule, peakInWindow, type ScheduledRequest } from '../replay-schedule.ts';
import { sampleFromResponse } from '../sample-from-response.ts';
import { addCanceled, addRequestMetrics, addScheduleLag } from './gauntlet-metrics.ts';
import { authHeaders, type SetupData } from './gauntlet-run.ts';
import { sendRequest } from './send-request.ts';

export interface ReplayTrace {
  requests: { readonly length: number; at(index: number): ScheduledRequest };
  /** Most requests due within one EXPECTED_LATENCY_MS window: what the VU pool is sized for. */
  peakPerLatencyWindow: number;
}

/**
 * The schedule, parsed once and shared by every VU (SharedArray). Init context only (open()). Relative paths
 * are taken from the working directory, as for PROMPTS.
 */
export function loadReplayTrace(
  path: string,
  config: Pick<GauntletConfig, 'expectedLatencyMs'>,
  env: Readonly<Record<string, string | undefined>>,
): ReplayTrace {
  const file = path.startsWith('/') || !env.PWD ? path : `${env.PWD}/${path}`;
  const label = `REPLAY_SCHEDULE=${file}`;
  const requests = new SharedArray('gauntlet-replay', () => parseReplaySchedule(open(file), label).requests);
  // A second SharedArray so that the sliding window runs once, in the first VU's init, not in every VU's.
  const peak = new SharedArray('gauntlet-replay-peak', () => {
    const offsets = parseReplaySchedule(open(file), label).requests.map((request) => request[0]);
    return [peakInWindow(offsets, config.expectedLatencyMs)];
  });
  return {
    requests: { length: requests.length, at: (index) => requests[index] as ScheduledRequest },
    peakPerLatencyWindow: (peak[0] as number | undefined) ?? 1,
  };
}

/**
 * One trace row: planned (prompt built) before its time, then a sleep until the row's offset after the
 * scenario's start, then sent. The schedule error is the request's actual start (t0, stamped by the client
 * when it sent) minus the time the trace scheduled it at.
 */
export function runReplayIteration(config: GauntletConfig, trace: ReplayTrace, data: SetupData): void {
  const index = exec.scenario.iterationInTest;
  if (index >= trace.requests.length) return;
  const request = trace.requests.at(index);
  const planned = planReplayRequest(config, { index, vu: exec.vu.idInTest }, request, data.model);
  const dueUnixMs = exec.scenario.startTime + request[0];
  const waitMs = dueUnixMs - nowUnixMs();
  if (waitMs > 0) sleep(waitMs / 1000);
  const raw = sendRequest(planned.spec, {
    url: `${config.target}${planned.spec.path}`,
    headers: { ...authHeaders(config), 'content-type': 'application/json', 'x-request-id': planned.id },
    timeoutMs: config.requestTimeoutMs,
  });
  addScheduleLag(raw.t0UnixMs - dueUnixMs);
  const result = sampleFromResponse(
    {
      id: planned.id,
      scenario: 'replay',
      phase: 'replay',
      endpoint: planned.endpoint,
      streamed: planned.spec.streamed,
    },
    raw,
  );
  if (result.canceled) {
    addCanceled(planned.endpoint);
    return;
  }
  record(JSON.stringify(result.sample));
  addRequestMetrics(metricValues(result.sample), planned.endpoint);
}
