import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Python peer clients that `npm run setup` installs into .tools/py (bin/setup/python.js). */

const root = fileURLToPath(new URL('../..', import.meta.url));
export const peersDir = fileURLToPath(new URL('../peers/', import.meta.url));

/**
 * Why the peer tests of `file` cannot run here, or undefined when they can: only a missing python3 skips
 * them, and the reason is printed so that a skip is never silent.
 */
export function pythonSkipReason(file: string): string | undefined {
  const probe = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const reason = 'python3 is not installed, so the Python peer clients cannot run';
  process.stderr.write(`${file}: skipped: ${reason}\n`);
  return reason;
}

/** A program of the peers venv; a missing venv is an error (setup not run), not a reason to skip. */
export function peerBin(name: 'python' | 'guidellm'): string {
  const path = `${root}.tools/py/bin/${name}`;
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`npm run setup\` (its "python peer clients" step installs it)`);
  }
  return path;
}

export interface PeerResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a peer program to completion in its own process group, bounded by `timeoutMs`: on timeout the whole
 * group (GuideLLM's worker processes too) is killed and the promise rejects with the output's tail.
 */
export function runPeer(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): Promise<PeerResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...offlineEnv, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout = (stdout + d.toString()).slice(-200_000);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-200_000);
    });
    const killGroup = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`${command} did not finish in ${options.timeoutMs} ms\n${stderr.slice(-4000)}`));
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      // Children it left behind (none expected) go with it.
      killGroup();
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Nothing may reach the Hugging Face hub (or anywhere else) at test time. */
const offlineEnv = {
  HF_HUB_OFFLINE: '1',
  HF_DATASETS_OFFLINE: '1',
  TRANSFORMERS_OFFLINE: '1',
  HF_HUB_DISABLE_TELEMETRY: '1',
  DO_NOT_TRACK: '1',
  PYTHONUNBUFFERED: '1',
};
