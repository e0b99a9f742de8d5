import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the chaos runner sees it (Unix ms), injectable so orchestration tests need no real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(Math.max(0, ms)),
};
