import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface DockerRuntimeModule {
  CAPFIX_RUNTIME: string;
  capfixNeeded(statusText?: string): Promise<boolean>;
  withCapfixRuntime(text: string | undefined, installPath: string, file: string): Record<string, unknown>;
  registerRuntime(daemonJson: string, installPath: string): Promise<boolean>;
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const setupModule = join(repoRoot, 'bin', 'setup', 'docker-runtime.js');
const runtime = (await import(setupModule)) as DockerRuntimeModule;
const WRAPPER = '/usr/local/libexec/gauntlet/runc-capfix';

describe('runc-capfix registration in daemon.json', () => {
  let scratch = '';
  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'gauntlet-docker-runtime-'));
  });
  afterEach(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('sees whether CAP_SYS_RESOURCE (bit 24) is in the bounding set', async () => {
    expect(await runtime.capfixNeeded('CapBnd:\t000001fffeffffff\n')).toBe(true);
    expect(await runtime.capfixNeeded('CapBnd:\t000001ffffffffff\n')).toBe(false);
    expect(await runtime.capfixNeeded('no such line\n')).toBe(false);
  });

  it('adds the runtime as the default and keeps every other setting', () => {
    const config = runtime.withCapfixRuntime(
      '{"log-level":"warn","runtimes":{"other":{"path":"/x"}}}',
      WRAPPER,
      'daemon.json',
    );
    expect(config).toEqual({
      'log-level': 'warn',
      runtimes: { other: { path: '/x' }, [runtime.CAPFIX_RUNTIME]: { path: WRAPPER } },
      'default-runtime': runtime.CAPFIX_RUNTIME,
    });
  });

  it('does not take over another default runtime, and says which file and key', () => {
    expect(() =>
      runtime.withCapfixRuntime('{"default-runtime":"nvidia"}', WRAPPER, '/etc/docker/daemon.json'),
    ).toThrow(/\/etc\/docker\/daemon\.json: "default-runtime" is "nvidia"/);
    expect(() => runtime.withCapfixRuntime('{not json', WRAPPER, 'daemon.json')).toThrow(
      /daemon\.json: not valid JSON/,
    );
    expect(() => runtime.withCapfixRuntime('[]', WRAPPER, 'daemon.json')).toThrow(/must hold a JSON object/);
  });

  it('writes the file once and reports no change the second time', async () => {
    const file = join(scratch, 'docker', 'daemon.json');
    expect(await runtime.registerRuntime(file, WRAPPER)).toBe(true);
    expect(await runtime.registerRuntime(file, WRAPPER)).toBe(false);
    const written = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(written['default-runtime']).toBe(runtime.CAPFIX_RUNTIME);
    await writeFile(file, '{"debug":true}');
    expect(await runtime.registerRuntime(file, WRAPPER)).toBe(true);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ debug: true });
  });
});
