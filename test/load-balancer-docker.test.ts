import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../core/config/load-cluster-config.js';
import { parseAccessLog } from '../core/load-balancer/access-log.js';
import type { StackHandle } from '../core/platform/platform.js';
import { DockerPlatform } from '../platforms/docker/docker-platform.js';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { balancedYaml } from './support/balanced-stack.js';
import { dockerSkipReason } from './support/docker-engine.js';
import { useTempGauntletHome } from './support/local-stack.js';

// The nginx load balancer on the docker platform: its image (Debian's nginx, no registry), the same
// rendered nginx.conf as on local, the only published port. Needs dist/ and a Docker engine.
const skip = await dockerSkipReason();

describe.skipIf(skip !== undefined)(
  `nginx in front of two gateways on docker${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let stack: StackHandle | undefined;

    beforeAll(() => {
      useTempGauntletHome();
    });

    afterEach(async () => {
      const runId = stack?.runId;
      await stack?.down();
      stack = undefined;
      if (runId) expect(await leftByLabel(runId)).toEqual([]);
    });

    it('is the stack URL, spreads requests over both gateways, and is removed with the stack', async () => {
      stack = await new DockerPlatform().up(parseClusterConfig(balancedYaml(), 'balanced.yaml'), {
        readyTimeoutMs: 60_000,
      });
      const s = stack;
      const lb = s.components({ role: 'load_balancer' });
      expect(lb.map((c) => c.id)).toEqual(['load-balancer-0']);
      expect(s.components({ role: 'gateway' }).map((c) => c.id)).toEqual(['gateway-0', 'gateway-1']);
      expect(new URL(s.gatewayUrl).hostname).toBe('127.0.0.1');

      for (let i = 0; i < 8; i++) {
        const response = await fetch(`${s.gatewayUrl}/v1/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: s.config.model_name, prompt: 'hello', max_tokens: 4 }),
          signal: AbortSignal.timeout(10_000),
        });
        expect(response.status).toBe(200);
        await response.json();
      }
      // The access log goes to the container's stdout, which the platform keeps in the component's log.
      const logFile = join(s.runDir, 'logs', 'load-balancer-0.log');
      let completions = parseAccessLog(readFileSync(logFile, 'utf8')).filter(
        (r) => r.uri === '/v1/completions',
      );
      for (let i = 0; i < 50 && completions.length < 8; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        completions = parseAccessLog(readFileSync(logFile, 'utf8')).filter(
          (r) => r.uri === '/v1/completions',
        );
      }
      expect(completions).toHaveLength(8);
      expect(new Set(completions.flatMap((r) => r.upstreams)).size).toBe(2);
    }, 240_000);
  },
);
