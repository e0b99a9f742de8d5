/**
 * ShareGPT-shaped datasets: one conversation per JSONL line, `{"conversations":[{"from":"human","value":
 * "..."},{"from":"gpt","value":"..."}]}`. A whole-file JSON array of such objects (the original ShareGPT
 * dump) is read too. The prompt of a conversation is its first human turn.
 */
export interface ShareGptPrompts {
  prompts: string[];
  /** Lines that were not JSON or had no human turn with text. */
  skipped: number;
}

const humanRoles = new Set(['human', 'user']);

export function parseShareGpt(text: string, source = 'PROMPTS'): ShareGptPrompts {
  const trimmed = text.trimStart();
  const records: unknown[] = [];
  let skipped = 0;
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed)) records.push(...parsed);
  } else {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        skipped++;
      }
    }
  }
  const prompts: string[] = [];
  for (const record of records) {
    const prompt = firstHumanTurn(record);
    if (prompt === undefined) skipped++;
    else prompts.push(prompt);
  }
  if (prompts.length === 0) {
    throw new Error(
      `${source}: no usable conversation (expected JSONL lines like {"conversations":[{"from":"human","value":"..."}]}; ${skipped} skipped)`,
    );
  }
  return { prompts, skipped };
}

function firstHumanTurn(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const conversations = (record as { conversations?: unknown }).conversations;
  if (!Array.isArray(conversations)) return undefined;
  for (const turn of conversations) {
    if (typeof turn !== 'object' || turn === null) continue;
    const { from, value } = turn as { from?: unknown; value?: unknown };
    if (typeof from === 'string' && humanRoles.has(from) && typeof value === 'string' && value !== '') {
      return value;
    }
  }
  return undefined;
}
