import { docker } from '../docker-cli.js';
import { labelKeys } from './labels.js';

export interface LabelCleanup {
  containers: number;
  networks: number;
  volumes: number;
}

/**
 * Removes every container, network and volume labelled with a run id (or with any run id when none is
 * given). Uses only the engine's own records, so it works from any process: after `gauntlet down`, after a
 * crashed harness, in a test's afterAll. Containers go first (a network with members cannot be removed).
 */
export async function removeByLabel(runId?: string): Promise<LabelCleanup> {
  const filter = `label=${runId === undefined ? labelKeys.run : `${labelKeys.run}=${runId}`}`;
  const ids = async (kind: 'container' | 'network' | 'volume'): Promise<string[]> => {
    const args = kind === 'container' ? ['ps', '-aq'] : [kind, 'ls', '-q'];
    const out = await docker([...args, '--filter', filter]);
    return out.split('\n').filter((line) => line.trim() !== '');
  };
  const containers = await ids('container');
  // rm -f kills paused containers too (docker unpauses them first).
  if (containers.length > 0) await docker(['rm', '-f', '-v', ...containers], { timeoutMs: 60_000 });
  const networks = await ids('network');
  if (networks.length > 0) await docker(['network', 'rm', ...networks]);
  const volumes = await ids('volume');
  if (volumes.length > 0) await docker(['volume', 'rm', '-f', ...volumes]);
  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}

/** What a run (or all runs) still has on the engine: the emptiness check after teardown. */
export async function leftByLabel(runId?: string): Promise<string[]> {
  const filter = `label=${runId === undefined ? labelKeys.run : `${labelKeys.run}=${runId}`}`;
  const lines = await Promise.all([
    docker(['ps', '-a', '--filter', filter, '--format', 'container {{.Names}}']),
    docker(['network', 'ls', '--filter', filter, '--format', 'network {{.Name}}']),
    docker(['volume', 'ls', '--filter', filter, '--format', 'volume {{.Name}}']),
  ]);
  return lines.flatMap((out) => out.split('\n').filter((line) => line.trim() !== ''));
}
