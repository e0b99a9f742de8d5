import { quoted, TraceError } from './trace-error.js';
import { isTokenCount, type ParsedTrace, type TraceRequest, tokenCountAllowed } from './trace-request.js';

/**
 * A Mooncake-style trace: JSON Lines, one request an object with `timestamp` (ms), `input_length` and
 * `output_length` (tokens); other keys (Mooncake's `hash_ids`) are ignored. Blank lines are skipped.
 */
export function parseMooncakeTrace(text: string, file: string): ParsedTrace {
  const requests: TraceRequest[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const line = i + 1;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (error) {
      throw new TraceError(file, line, undefined, `not JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new TraceError(file, line, undefined, `must be a JSON object, got ${quoted(raw)}`);
    }
    const { timestamp, input_length, output_length } = row as Record<string, unknown>;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
      throw new TraceError(file, line, 'timestamp', `${quoted(timestamp)} is not a number of ms >= 0`);
    }
    requests.push({
      atMs: timestamp,
      inputTokens: tokenField(input_length, file, line, 'input_length'),
      outputTokens: tokenField(output_length, file, line, 'output_length'),
      line,
    });
  }
  return { file, format: 'mooncake-jsonl', requests, skipped: [] };
}

function tokenField(value: unknown, file: string, line: number, field: string): number {
  if (typeof value !== 'number' || !isTokenCount(value)) {
    throw new TraceError(file, line, field, `${quoted(value)} is not ${tokenCountAllowed}`);
  }
  return value;
}
