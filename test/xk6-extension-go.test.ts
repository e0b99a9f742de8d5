import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../core/project-root.js';

/**
 * The k6 extension (tools/xk6-gauntlet) is Go: vet it and run its own tests with the Go that builds k6
 * (bin/setup/k6.js uses `go` from PATH with the same GOFLAGS). The module cache is warm from that build.
 */
const run = promisify(execFile);
const moduleDir = join(projectRoot(), 'tools', 'xk6-gauntlet');
const goEnv = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };

const goVersion = await run('go', ['env', 'GOVERSION'], { env: goEnv }).then(
  (result) => result.stdout.trim(),
  () => undefined,
);
if (goVersion === undefined) {
  // Visible in the run's output, not only as a skipped count.
  process.stderr.write(
    'xk6-extension-go: `go` is not on PATH; go vet and go test of tools/xk6-gauntlet skipped\n',
  );
}

type GoResult = { code: number; output: string };

async function go(args: string[]): Promise<GoResult> {
  try {
    const { stdout, stderr } = await run('go', args, {
      cwd: moduleDir,
      env: goEnv,
      timeout: 600_000,
      killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe.skipIf(goVersion === undefined)(`k6 extension tools/xk6-gauntlet (${goVersion ?? 'no go'})`, () => {
  it('passes go vet', async () => {
    const result = await go(['vet', './...']);
    expect(result.output).not.toMatch(/^#|vet:/m);
    expect(result.code).toBe(0);
  }, 620_000);

  it('passes its own go tests, and has some', async () => {
    const result = await go(['test', '-count=1', './...']);
    expect(result.output).not.toContain('FAIL');
    expect(result.code).toBe(0);
    // A package list with no "ok" line would mean the tests never ran.
    expect(result.output).toMatch(/^ok\s+\S+\/sse\s/m);
  }, 620_000);
});
