/** One server-sent event as k6/x/sse returns it; `atMs` is its arrival, in ms since the request was sent. */
export interface SseEvent {
  data: string;
  event: string;
  atMs: number;
}

/** What a streamed answer tells about latency and completeness. */
export interface StreamSummary {
  /** Arrival of the first event with non-empty content. */
  ttftMs: number | undefined;
  /** Gaps between consecutive content events (the first excluded). */
  itlMs: number[];
  contentEvents: number;
  /** From the final usage chunk, when the server sent one. */
  completionTokens: number | undefined;
  promptTokens: number | undefined;
  /** `data: [DONE]` arrived. */
  sawDone: boolean;
  /** A chunk with a non-null finish_reason arrived. */
  sawFinish: boolean;
  /** An error object (`{"error":{...}}`) or an `event: error` arrived. */
  sawError: boolean;
  /** Events whose data was neither JSON nor [DONE]. */
  malformed: number;
}

interface Choice {
  delta?: { content?: unknown };
  text?: unknown;
  finish_reason?: unknown;
}

interface Chunk {
  choices?: Choice[];
  usage?: { completion_tokens?: unknown; prompt_tokens?: unknown } | null;
  error?: unknown;
}

/**
 * Reads OpenAI-style chunks: chat (`choices[0].delta.content`) and text completions (`choices[0].text`).
 * Empty content (the chat opening `{"role":"assistant","content":""}`, the finish chunk) is not a token.
 */
export function summarizeStream(events: readonly SseEvent[]): StreamSummary {
  const summary: StreamSummary = {
    ttftMs: undefined,
    itlMs: [],
    contentEvents: 0,
    completionTokens: undefined,
    promptTokens: undefined,
    sawDone: false,
    sawFinish: false,
    sawError: false,
    malformed: 0,
  };
  let lastContentAtMs = 0;
  for (const event of events) {
    if (event.event === 'error') {
      summary.sawError = true;
      continue;
    }
    if (event.data === '[DONE]') {
      summary.sawDone = true;
      continue;
    }
    let chunk: Chunk;
    try {
      chunk = JSON.parse(event.data) as Chunk;
    } catch {
      summary.malformed++;
      continue;
    }
    if (typeof chunk !== 'object' || chunk === null) {
      summary.malformed++;
      continue;
    }
    if (chunk.error !== undefined && chunk.error !== null) {
      summary.sawError = true;
      continue;
    }
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    const content = choice ? (choice.delta?.content ?? choice.text) : undefined;
    if (typeof content === 'string' && content !== '') {
      if (summary.ttftMs === undefined) summary.ttftMs = event.atMs;
      else summary.itlMs.push(event.atMs - lastContentAtMs);
      lastContentAtMs = event.atMs;
      summary.contentEvents++;
    }
    if (choice && choice.finish_reason !== undefined && choice.finish_reason !== null)
      summary.sawFinish = true;
    const usage = chunk.usage;
    if (usage && typeof usage.completion_tokens === 'number')
      summary.completionTokens = usage.completion_tokens;
    if (usage && typeof usage.prompt_tokens === 'number') summary.promptTokens = usage.prompt_tokens;
  }
  return summary;
}
