import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leftByLabel } from '../platforms/docker/stack/cleanup-by-label.js';
import { runCli, writeSmallConfig } from './support/cli.js';
import { dockerSkipReason } from './support/docker-engine.js';

// The CLI on the docker platform, from dist/ (npm run build): `gauntlet up --detach` then `gauntlet down`,
// and the smoke scenario through a docker stack that `gauntlet run` brings up and tears down itself.
const skip = await dockerSkipReason();

describe.skipIf(skip !== undefined)(
  `gauntlet on --platform docker${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('up --detach leaves a working stack that down removes to the last container and network', async () => {
      const home = mkdtempSync(join(tmpdir(), 'gauntlet-docker-cli-'));
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

      const down = await runCli(['down', '--json'], env, 60_000);
      expect(down.code, down.stderr).toBe(0);
      expect(JSON.parse(down.stdout)).toMatchObject({
        stopped: [{ runId: described.runId, reason: 'detached' }],
      });
      expect(await leftByLabel(described.runId)).toEqual([]);
    }, 300_000);

    it('runs the smoke scenario through a docker stack and passes', async () => {
      const home = mkdtempSync(join(tmpdir(), 'gauntlet-docker-smoke-'));
      const out = join(home, 'out');
      const config = writeSmallConfig(home);
      const run = await runCli(
        ['run', 'smoke', '--platform', 'docker', '--config', config, '--out', out],
        { GAUNTLET_HOME: home },
        300_000,
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const result = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
        verdict: string;
        target?: { platform?: string };
      };
      expect(result.verdict).toBe('pass');
      expect(result.target).toMatchObject({ platform: 'docker' });
      // The stack's run folder is named by its run id: nothing labelled with it is left.
      const stackRuns = readdirSync(join(home, 'runs'));
      expect(stackRuns).toHaveLength(1);
      expect(await leftByLabel(stackRuns[0])).toEqual([]);
    }, 360_000);
  },
);
