import { dockerEngineStatus } from '../../platforms/docker/docker-cli.js';

/**
 * Docker tests run against the real engine `npm run setup` starts; without one they skip, and the skipped
 * suite's name says why (vitest prints it), so a missing engine is never a silent pass.
 */
export async function dockerSkipReason(): Promise<string | undefined> {
  const status = await dockerEngineStatus();
  return status.ok
    ? undefined
    : `no Docker engine answers (${status.reason.split('\n')[0]}); npm run setup starts one`;
}
