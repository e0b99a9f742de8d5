/**
 * The `data:` payloads of a server-sent-events body (OpenAI streaming), in order, as they arrive. Comment
 * lines, `event:` and `id:` fields are skipped; a payload split across chunks is joined. Only `data:` lines
 * matter to OpenAI-compatible engines (vLLM and SGLang send one `data:` line per event).
 */
export async function* sseData(body: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let newline = rest.indexOf('\n');
    while (newline !== -1) {
      const line = rest.slice(0, newline).replace(/\r$/, '');
      rest = rest.slice(newline + 1);
      if (line.startsWith('data:')) yield line.slice(line.startsWith('data: ') ? 6 : 5);
      newline = rest.indexOf('\n');
    }
  }
  const last = rest.replace(/\r$/, '');
  if (last.startsWith('data:')) yield last.slice(last.startsWith('data: ') ? 6 : 5);
}
