import { ENDPOINTS, type Endpoint } from '../../reports/model/kinds.js';
import { quoted, TraceError } from './trace-error.js';
import { isTokenCount, type ParsedTrace, type TraceRequest } from './trace-request.js';

const noCounts =
  'no input or output token count (`in` / `out` missing or 0: a request that failed before the server ' +
  'counted its prompt, or a server that sends no usage); there is nothing to size its replay by';

/**
 * A Gauntlet run's samples file (NDJSON, one RequestSample a line: reports/model/request-sample.ts): `t0`
 * (Unix ms) is the send time, `in` the prompt tokens the server counted, `out` the tokens it generated, `ep`
 * the endpoint, which the replay keeps. A sample without token counts cannot be sized and is left out,
 * said in `skipped`; a failed request that has them is replayed like the others (it was load, too), asking
 * for as many output tokens as it got before it failed.
 */
export function parseGauntletSamples(text: string, file: string): ParsedTrace {
  const requests: TraceRequest[] = [];
  const skippedLines: number[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue;
    const line = i + 1;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (error) {
      throw new TraceError(file, line, undefined, `not JSON (${(error as Error).message})`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new TraceError(
        file,
        line,
        undefined,
        `must be a JSON object (a request sample), got ${quoted(raw)}`,
      );
    }
    const sample = row as Record<string, unknown>;
    const { t0, ep } = sample;
    if (typeof t0 !== 'number' || !Number.isFinite(t0) || t0 <= 0) {
      throw new TraceError(file, line, 't0', `${quoted(t0)} is not a send time in Unix ms (a number > 0)`);
    }
    if (!(ENDPOINTS as readonly unknown[]).includes(ep)) {
      throw new TraceError(file, line, 'ep', `${quoted(ep)} is not one of ${ENDPOINTS.join(', ')}`);
    }
    const input = typeof sample.in === 'number' ? sample.in : 0;
    const output = typeof sample.out === 'number' ? sample.out : 0;
    if (!isTokenCount(input) || !isTokenCount(output)) {
      skippedLines.push(line);
      continue;
    }
    requests.push({ atMs: t0, inputTokens: input, outputTokens: output, endpoint: ep as Endpoint, line });
  }
  const skipped = skippedLines.length > 0 ? [{ reason: noCounts, lines: skippedLines }] : [];
  return { file, format: 'gauntlet-samples', requests, skipped };
}
