import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls a growing log file until a line matches `parse`, the process exits, or the timeout passes. Reading
 * the file (not a pipe) works the same for attached and detached processes.
 */
export async function waitForLogLine<T>(
  logFile: string,
  parse: (line: string) => T | undefined,
  options: { timeoutMs: number; exited: () => boolean; pollMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const handle = await open(logFile, 'r');
  try {
    let offset = 0;
    let pending = '';
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      if (bytesRead > 0) {
        offset += bytesRead;
        pending += buffer.toString('utf8', 0, bytesRead);
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          const found = parse(line);
          if (found !== undefined) return found;
        }
        continue;
      }
      if (options.exited()) throw new Error('process exited before it was ready');
      if (Date.now() > deadline) throw new Error(`not ready after ${options.timeoutMs} ms`);
      await sleep(options.pollMs ?? 15);
    }
  } finally {
    await handle.close();
  }
}
