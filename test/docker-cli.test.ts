import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { runCli, writeSmallConfig } from './support/cli.js';
import { dockerSkipReason } from './support/docker-engine.js';

// The CLI on the docker platform, from dist/ (npm run build): `gauntlet up --detach` then `gauntlet down`,
// and the smoke scenario through a docker stack that `gauntlet run` brings up and tears down itself.
const skip = await dockerSkipReason();

describe.skipIf(skip !== undefined)(
  `gauntlet on --platform docker${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    // A detached stack outlives a failed assertion: whatever a test left, its home's `down` removes.
    const homes: string[] = [];
    afterEach(async () => {
      for (const home of homes.splice(0)) await runCli(['down'], { GAUNTLET_HOME: home }, 60_000);
    });

    it('up --detach leaves a working stack that down removes to the last container and network', async () => {
      const home = mkdtempSync(join(tmpdir(), 'gauntlet-docker-cli-'));
      homes.push(home);
      const env = { GAUNTLET_HOME: home };
      const config = writeSmallConfig(home);
      const up = await runCli(
        ['up', '--platform', 'docker', '--config', config, '--detach', '--json'],
        env,
        240_000,
      );
      expect(up.code, up.stderr).toBe(0);
      const described = JSON.parse(up.stdout) as { gateway: string; runId: string; components: unknown[] };
      expect(described.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(described.components).toHaveLength(1 + 1 + 2 + 1);
      expect((await fetch(`${described.gateway}/readyz`)).status).toBe(200);
      expect(await leftByLabel(described.runId)).toHaveLength(5 + 1);

      // Another GAUNTLET_HOME on the same engine (a second CI job, a teammate): its `down --all` names this
      // run and leaves it running.
      const otherHome = { GAUNTLET_HOME: mkdtempSync(join(tmpdir(), 'gauntlet-docker-other-')) };
      const otherDown = await runCli(['down', '--all', '--json'], otherHome, 60_000);
      expect(otherDown.code, otherDown.stderr).toBe(0);
      expect(JSON.parse(otherDown.stdout)).toMatchObject({
        stopped: expect.arrayContaining([
          expect.objectContaining({ runId: described.runId, reason: 'unrecorded', stopped: [] }),
        ]),
      });
      expect(await leftByLabel(described.runId)).toHaveLength(5 + 1);
      expect((await fetch(`${described.gateway}/readyz`)).status).toBe(200);

      const down = await runCli(['down', '--json'], env, 60_000);
      expect(down.code, down.stderr).toBe(0);
      expect(JSON.parse(down.stdout)).toMatchObject({
        stopped: [{ runId: described.runId, reason: 'detached' }],
      });
      expect(await leftByLabel(described.runId)).toEqual([]);
    }, 300_000);

    it('runs the smoke scenario through a docker stack: every request answered, no SLO failed', async () => {
      const home = mkdtempSync(join(tmpdir(), 'gauntlet-docker-smoke-'));
      const out = join(home, 'out');
      const config = writeSmallConfig(home);
      // Latency SLOs are the stack's business, and on a shared 2-core machine a p99 over 300 ms can fail a
      // healthy run; this test is about the platform, so it judges only what the platform decides: that
      // every request reached a worker and came back, at the planned rate.
      const slos = join(home, 'platform-slos.yaml');
      writeFileSync(
        slos,
        [
          'slos:',
          '  - id: error-rate',
          '    metric: error_rate',
          '    op: "<"',
          '    threshold: 0.001',
          '  - id: achieved-rate',
          '    metric: achieved_rate',
          '    op: ">="',
          '    threshold: 0.99',
          '',
        ].join('\n'),
      );
      const run = await runCli(
        ['run', 'smoke', '--platform', 'docker', '--config', config, '--slos', slos, '--out', out],
        { GAUNTLET_HOME: home },
        300_000,
      );
      // Smoke sends ~10 requests: too few to show a 0.1 % error rate, so its honest verdict is inconclusive
      // (exit 2) at best; what it must show is that every request went through.
      expect([0, 2], `${run.stdout}\n${run.stderr}`).toContain(run.code);
      const result = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
        verdict: string;
        target?: { platform?: string };
        slos: Array<{ id: string; verdict: string; samples: number; observed: number | null }>;
      };
      expect(result.slos.filter((slo) => slo.verdict === 'fail')).toEqual([]);
      expect(result.slos.find((slo) => slo.id === 'achieved-rate')?.verdict).toBe('pass');
      const errors = result.slos.find((slo) => slo.id === 'error-rate');
      expect(errors?.samples).toBeGreaterThanOrEqual(5);
      expect(errors?.observed).toBe(0);
      expect(result.target).toMatchObject({ platform: 'docker' });
      // The stack's run folder is named by its run id: nothing labelled with it is left.
      const stackRuns = readdirSync(join(home, 'runs'));
      expect(stackRuns).toHaveLength(1);
      expect(await leftByLabel(stackRuns[0])).toEqual([]);
    }, 360_000);
  },
);
