import type { Readable } from 'node:stream';
import { getContainerRuntimeClient } from 'testcontainers';
import type { ContainerState } from './docker-component.js';
import { labelKeys } from './labels.js';

/**
 * Follows the engine's container events for one run and reports each component's new state: a container
 * that crashes or is killed from outside (`docker kill` in a terminal) is seen as exited without polling.
 * Returns a function that stops following.
 */
export async function watchRunEvents(
  runId: string,
  onState: (componentId: string, state: ContainerState, atMs: number) => void,
): Promise<() => void> {
  const client = await getContainerRuntimeClient();
  const stream = (await client.container.dockerode.getEvents({
    filters: { type: ['container'], label: [`${labelKeys.run}=${runId}`] },
  })) as Readable;
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseEvent(line);
      if (event) onState(event.id, event.state, event.atMs);
    }
  });
  stream.on('error', () => {});
  return () => stream.destroy();
}

const stateOfAction: Record<string, ContainerState> = {
  start: 'running',
  unpause: 'running',
  pause: 'paused',
  die: 'exited',
};

export function parseEvent(line: string): { id: string; state: ContainerState; atMs: number } | undefined {
  try {
    const event = JSON.parse(line) as {
      Action?: string;
      timeNano?: number;
      Actor?: { Attributes?: Record<string, string> };
    };
    const state = stateOfAction[event.Action ?? ''];
    const id = event.Actor?.Attributes?.[labelKeys.id];
    const atMs = (event.timeNano ?? 0) / 1e6;
    return state && id ? { id, state, atMs } : undefined;
  } catch {
    return undefined;
  }
}
