/**
 * A service announces readiness with one stdout line, `GAUNTLET_READY {json}`, once it listens and is
 * registered. Platforms wait for that line (with a timeout) instead of polling ports.
 */
export const readyPrefix = 'GAUNTLET_READY ';

export interface ReadyInfo {
  url: string;
  pid: number;
}

export function announceReady(url: string): void {
  const info: ReadyInfo = { url, pid: process.pid };
  process.stdout.write(`${readyPrefix}${JSON.stringify(info)}\n`);
}

export function parseReadyLine(line: string): ReadyInfo | undefined {
  if (!line.startsWith(readyPrefix)) return undefined;
  try {
    return JSON.parse(line.slice(readyPrefix.length)) as ReadyInfo;
  } catch {
    return undefined;
  }
}
