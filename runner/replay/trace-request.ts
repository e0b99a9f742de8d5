import type { Endpoint } from '../../reports/model/kinds.js';
import type { TraceFormat } from '../../scenarios/lib/replay-schedule.ts';

/** One row of a trace, in the trace's own time (ms, any origin), with the file line it came from. */
export interface TraceRequest {
  atMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Only traces that record it (a Gauntlet run's samples). */
  endpoint?: Endpoint;
  line: number;
}

/** Rows a parser left out on purpose, and why (never silently). */
export interface SkippedRows {
  reason: string;
  lines: number[];
}

export interface ParsedTrace {
  file: string;
  format: TraceFormat;
  requests: TraceRequest[];
  skipped: SkippedRows[];
}

/** Token counts as the replay needs them: whole numbers >= 1 (max_tokens must be >= 1; a prompt is never empty). */
export const tokenCountAllowed = 'an integer >= 1';
export const isTokenCount = (value: number): boolean => Number.isInteger(value) && value >= 1;
