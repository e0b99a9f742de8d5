import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clusterConfigSchema, resolveTopology } from '../../core/config/cluster-config.js';
import { type KubeObject, renderKustomization } from '../kind/kustomize-render.js';
import { findKubectl } from './find-kubectl.js';
import { engineMismatch, stackOverlayDir } from './stack-overlays.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const kubectl = await findKubectl(root).catch(() => undefined);
const skip = kubectl ? undefined : 'no kubectl (npm run setup builds one, or put one on PATH)';

interface Container {
  name: string;
  image: string;
  args?: string[];
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
}
type Workload = KubeObject & { spec: { template: { spec: { containers: Container[] } } } };

describe.skipIf(skip !== undefined)(
  `deploy/k8s/overlays/a100-vllm${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it("puts vLLM beside every worker, holding the pod's 2 GPUs, serving the config's model on :8000", async () => {
      const objects = await renderKustomization(stackOverlayDir(root, 'a100-vllm'), { kubectl });
      const workers = objects.filter(
        (o): o is Workload =>
          o.kind === 'StatefulSet' && o.metadata.labels?.['gauntlet.dev/role'] === 'worker',
      );
      expect(workers.length).toBeGreaterThan(0);
      const modelName = clusterConfigSchema.parse({}).model_name;
      for (const set of workers) {
        const containers = set.spec.template.spec.containers;
        expect(containers.map((c) => c.name)).toEqual(['worker', 'engine']);
        const [worker, engine] = containers;
        expect(worker?.resources?.limits?.['nvidia.com/gpu']).toBeUndefined();
        expect(engine?.resources?.limits?.['nvidia.com/gpu']).toBe(2);
        expect(engine?.resources?.requests?.['nvidia.com/gpu']).toBe(2);
        expect(engine?.image).toMatch(/^vllm\/vllm-openai:v\d/);
        expect(engine?.args).toEqual(
          expect.arrayContaining([
            '--tensor-parallel-size=2',
            `--served-model-name=${modelName}`,
            '--port=8000',
          ]),
        );
        expect(engine?.startupProbe?.httpGet).toEqual({ path: '/health', port: 'engine' });
      }
    });
  },
);

describe('engineMismatch', () => {
  const config = (input: object) => resolveTopology(clusterConfigSchema.parse(input));
  const engine = { kind: 'openai', url: 'http://127.0.0.1:8000', model: 'glm-4-9b-chat' };
  it('holds a100-vllm to workers that front the engine beside them, and the others to the simulated GPU', () => {
    expect(engineMismatch(config({ worker: { engine } }), 'a100-vllm')).toBeUndefined();
    expect(engineMismatch(config({}), 'a100-vllm')).toMatch(
      /set worker.engine: \{ kind: openai, url: http:\/\/127.0.0.1:8000/,
    );
    expect(engineMismatch(config({}), 'a100')).toBeUndefined();
    expect(engineMismatch(config({ worker: { engine } }), 'sim')).toMatch(
      /--overlay sim has no engine container/,
    );
  });
});
