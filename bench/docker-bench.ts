import { performance } from 'node:perf_hooks';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { docker } from '../platforms/docker/docker-cli.js';
import { DockerPlatform } from '../platforms/docker/docker-platform.js';
import { labelKeys } from '../platforms/docker/stack/labels.js';
import { median } from './median.js';

/** Containers, networks and volumes labelled with a run id: what a finished teardown must leave at zero. */
async function leftOf(runId: string): Promise<number> {
  const filter = `label=${labelKeys.run}=${runId}`;
  const lists = await Promise.all([
    docker(['ps', '-aq', '--filter', filter]),
    docker(['network', 'ls', '-q', '--filter', filter]),
    docker(['volume', 'ls', '-q', '--filter', filter]),
  ]);
  return lists.reduce((n, out) => n + out.split('\n').filter((l) => l.trim() !== '').length, 0);
}

/**
 * docker_bringup_s and docker_teardown_s: the default topology on the docker platform, images cached (a
 * first bring-up builds them and is not timed), up to every component ready, then down to nothing labelled.
 */
export async function benchDocker(
  rounds = 3,
): Promise<{ upS: number; downS: number; ups: number[]; downs: number[]; leftAfterDown: number[] }> {
  const platform = new DockerPlatform();
  const config = parseClusterConfig('', 'default');
  await (await platform.up(config)).down();
  const ups: number[] = [];
  const downs: number[] = [];
  const leftAfterDown: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const stack = await platform.up(config);
    const t1 = performance.now();
    await stack.down();
    const t2 = performance.now();
    ups.push((t1 - t0) / 1000);
    downs.push((t2 - t1) / 1000);
    leftAfterDown.push(await leftOf(stack.runId));
  }
  return { upS: median(ups), downS: median(downs), ups, downs, leftAfterDown };
}
