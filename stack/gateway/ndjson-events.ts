import type { SubmitEvent } from '../protocol/batcher-api.js';

export class UpstreamProtocolError extends Error {}

/**
 * The batcher's NDJSON answer as batches of events: one batch per network chunk, so that tokens that arrive
 * together go to the client in one write.
 */
export async function* ndjsonEvents(body: AsyncIterable<Buffer>): AsyncGenerator<SubmitEvent[]> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    const lastNewline = pending.lastIndexOf('\n');
    if (lastNewline < 0) continue;
    const complete = pending.slice(0, lastNewline);
    pending = pending.slice(lastNewline + 1);
    const events: SubmitEvent[] = [];
    for (const line of complete.split('\n')) {
      if (line.trim() !== '') events.push(parseEvent(line));
    }
    if (events.length > 0) yield events;
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield [parseEvent(pending)];
}

function parseEvent(line: string): SubmitEvent {
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    throw new UpstreamProtocolError(`batcher sent a line that is not JSON: ${line.slice(0, 120)}`);
  }
  if (typeof event !== 'object' || event === null || !('t' in event)) {
    throw new UpstreamProtocolError(`batcher sent an event without a type: ${line.slice(0, 120)}`);
  }
  return event as SubmitEvent;
}
