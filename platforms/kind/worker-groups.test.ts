import { describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { workerPodsPerNode } from './worker-groups.js';

const configOf = (yaml: object) => resolveTopology(clusterConfigSchema.parse(yaml));

describe('workerPodsPerNode', () => {
  it('gives one worker pod per GPU when a pod holds one GPU, whatever the tensor parallelism', () => {
    const config = configOf({ nodes: [{ name: 'a', gpus: 3 }], worker: { tensor_parallel: 2 } });
    expect([...workerPodsPerNode(config)]).toEqual([['a', 3]]);
  });

  it('gives one worker pod per GPU pair when a pod holds two', () => {
    const config = configOf({
      nodes: [
        { name: 'a', gpus: 2 },
        { name: 'b', gpus: 8 },
      ],
      worker: { tensor_parallel: 2 },
    });
    expect([...workerPodsPerNode(config, 2)]).toEqual([
      ['a', 1],
      ['b', 4],
    ]);
  });

  it('refuses an odd GPU count and a tensor parallelism that is not the pod size, naming the fix', () => {
    const config = configOf({ nodes: [{ name: 'a', gpus: 3 }] });
    const refusal = (() => {
      try {
        workerPodsPerNode(config, 2);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(UserFacingError);
    expect((refusal as UserFacingError).exitCode).toBe(3);
    expect((refusal as Error).message).toContain('set worker.tensor_parallel: 2 in the config');
    expect((refusal as Error).message).toContain('node a has 3 GPUs');
  });
});
