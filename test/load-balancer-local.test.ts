import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAccessLog } from '../core/load-balancer/access-log.js';
import type { StackHandle } from '../core/platform/platform.js';
import { balancedYaml } from './support/balanced-stack.js';
import { aliveProcesses, upLocalStack, useTempGauntletHome } from './support/local-stack.js';

describe('nginx in front of two gateways on the local platform', () => {
  let stack: StackHandle | undefined;

  beforeAll(() => {
    useTempGauntletHome();
  });

  afterEach(async () => {
    await stack?.down();
    stack = undefined;
    expect(aliveProcesses()).toEqual([]);
  });

  it('is the stack URL, spreads requests over both gateways, and stops with the stack', async () => {
    stack = await upLocalStack(balancedYaml(), { readyTimeoutMs: 30_000 });
    const s = stack;
    const lb = s.components({ role: 'load_balancer' });
    expect(lb.map((c) => c.id)).toEqual(['load-balancer-0']);
    expect(await lb[0]?.state()).toBe('running');
    expect(s.components({ role: 'gateway' }).map((c) => c.id)).toEqual(['gateway-0', 'gateway-1']);
    expect(s.gatewayUrl).toBe(lb[0]?.url);

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
    // The access log goes to nginx's stdout: the component's log.
    const requests = parseAccessLog((await lb[0]?.logs.read()) ?? '');
    const completions = requests.filter((r) => r.uri === '/v1/completions');
    expect(completions).toHaveLength(8);
    // Round robin over two gateways: both served some of them.
    expect(new Set(completions.flatMap((r) => r.upstreams)).size).toBe(2);
    // A 401 comes from the gateway through nginx, in the gateway's own shape.
    const unauthorized = await fetch(`${s.gatewayUrl}/v1/models`, { signal: AbortSignal.timeout(5_000) });
    expect(unauthorized.status).toBe(401);
  }, 90_000);
});
