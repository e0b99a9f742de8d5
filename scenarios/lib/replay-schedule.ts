/**
 * The replay scenario's input: a trace already parsed, validated, sorted and scaled by the harness
 * (runner/replay), reduced to what k6 needs to fire each request. Written as JSON by the harness and read by
 * scenarios/replay.ts with open(); pure, so both sides (and vitest) share one definition.
 */
import { type Endpoint, endpoints } from './endpoint-mix.ts';

export type TraceFormat = 'azure-csv' | 'mooncake-jsonl' | 'gauntlet-samples';
export const traceFormats: readonly TraceFormat[] = ['azure-csv', 'mooncake-jsonl', 'gauntlet-samples'];

/**
 * One request: [offset ms after the replay's start (speedup applied), input tokens, output tokens] and,
 * for traces that say which endpoint a request went to (a Gauntlet run's samples), that endpoint. A tuple,
 * not an object: a trace of a million rows stays a few tens of MB.
 */
export type ScheduledRequest = [number, number, number] | [number, number, number, Endpoint];

export interface ReplaySchedule {
  version: 1;
  source: {
    /** The trace file (or run folder) as given. */
    trace: string;
    format: TraceFormat;
    /** Trace time is divided by this: 2 replays a minute of trace in 30 s. */
    speedup: number;
    /** Requests the trace holds (before --max-requests / --duration cut it). */
    traceRequests: number;
  };
  /** Sorted by offset. */
  requests: ScheduledRequest[];
}

/** Seconds from the replay's start to its last scheduled send. */
export function scheduleSpanS(schedule: Pick<ReplaySchedule, 'requests'>): number {
  const last = schedule.requests[schedule.requests.length - 1];
  return last ? last[0] / 1000 : 0;
}

/**
 * The most requests scheduled inside any window of `windowMs` (a sliding window over the sorted offsets):
 * with requests that each last up to windowMs, never more than this many are in flight at once.
 */
export function peakInWindow(offsetsMs: readonly number[], windowMs: number): number {
  let peak = 0;
  let from = 0;
  for (let to = 0; to < offsetsMs.length; to++) {
    const end = offsetsMs[to] ?? 0;
    while ((offsetsMs[from] ?? 0) <= end - windowMs) from++;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

const isCount = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min;

/**
 * Reads a schedule file, checking what k6 relies on: the same message style as the harness's trace errors
 * (which file, which request, which field, what is allowed), since a schedule can also be written by hand.
 */
export function parseReplaySchedule(text: string, label: string): ReplaySchedule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label}: not JSON (${(error as Error).message})`);
  }
  const fail = (where: string, wanted: string, got: unknown): never => {
    throw new Error(`${label}: ${where} must be ${wanted}, got ${JSON.stringify(got)}`);
  };
  if (typeof parsed !== 'object' || parsed === null) return fail('the file', 'a JSON object', parsed);
  const { version, source, requests } = parsed as Record<string, unknown>;
  if (version !== 1) fail('version', '1', version);
  if (typeof source !== 'object' || source === null) return fail('source', 'an object', source);
  const { trace, format, speedup, traceRequests } = source as Record<string, unknown>;
  if (typeof trace !== 'string') fail('source.trace', 'a string', trace);
  if (!traceFormats.includes(format as TraceFormat)) fail('source.format', traceFormats.join(' | '), format);
  if (typeof speedup !== 'number' || !(speedup > 0)) fail('source.speedup', 'a number > 0', speedup);
  if (!isCount(traceRequests, 0)) fail('source.traceRequests', 'an integer >= 0', traceRequests);
  if (!Array.isArray(requests) || requests.length === 0) {
    return fail('requests', 'a non-empty array', requests);
  }
  let previous = 0;
  for (const [index, request] of requests.entries()) {
    const where = `requests[${index}]`;
    if (!Array.isArray(request) || request.length < 3 || request.length > 4) {
      fail(where, '[offsetMs, inputTokens, outputTokens] or [..., endpoint]', request);
    }
    const [at, input, output, endpoint] = request as unknown[];
    if (typeof at !== 'number' || !Number.isFinite(at) || at < previous) {
      fail(`${where}[0] (offset ms)`, `a number >= the previous offset (${previous})`, at);
    }
    if (!isCount(input, 1)) fail(`${where}[1] (input tokens)`, 'an integer >= 1', input);
    if (!isCount(output, 1)) fail(`${where}[2] (output tokens)`, 'an integer >= 1', output);
    if (endpoint !== undefined && !(endpoints as readonly unknown[]).includes(endpoint)) {
      fail(`${where}[3] (endpoint)`, endpoints.join(' | '), endpoint);
    }
    previous = at as number;
  }
  return parsed as ReplaySchedule;
}
