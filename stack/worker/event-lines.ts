import type { WorkerErrorCode, WorkerEvent } from '../protocol/worker-api.js';

/**
 * NDJSON lines of the worker protocol (WorkerEvent). Step lines are built from strings prepared once per
 * sequence, because they are the hot path: one line per model step per batch connection.
 */

/** The opening of one sequence's `[id, tokenId]` pair, built once per sequence: `["<id>",`. */
export function stepPairPrefix(id: string): string {
  return `[${JSON.stringify(id)},`;
}

/** One token of a real engine's stream: `["<id>",<position>,"<text>"]`. */
export function textPair(id: string, position: number, text: string): string {
  return `${stepPairPrefix(id)}${position},${JSON.stringify(text)}]`;
}

/** A `step` line from pairs made as `stepPairPrefix(id) + tokenId + ']'`. */
export function stepLine(pairs: readonly string[]): string {
  return `{"t":"step","tokens":[${pairs.join(',')}]}\n`;
}

export function doneLine(
  id: string,
  promptTokens: number,
  completionTokens: number,
  finishReason: 'length' | 'stop' = 'length',
): string {
  const event: WorkerEvent = { t: 'done', id, promptTokens, completionTokens, finishReason };
  return `${JSON.stringify(event)}\n`;
}

export function errLine(id: string, code: WorkerErrorCode, message: string): string {
  const event: WorkerEvent = { t: 'err', id, code, message };
  return `${JSON.stringify(event)}\n`;
}
