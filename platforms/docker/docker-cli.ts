import { spawn } from 'node:child_process';

/**
 * Runs the docker CLI (whatever engine it answers for) and resolves with its stdout; rejects with the
 * command and the CLI's own error text. Used where testcontainers has no call: building and importing
 * images, and label-based cleanup that must also work when this process is not the one that started things.
 */
export interface DockerRunOptions {
  /** Piped to the CLI's stdin (a tar stream for `docker import -`). */
  stdin?: NodeJS.ReadableStream;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export class DockerCliError extends Error {
  override readonly name = 'DockerCliError';
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `docker ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  }
}

export function docker(args: string[], options: DockerRunOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, {
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8_000);
    });
    if (options.stdin && child.stdin) options.stdin.pipe(child.stdin);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(killed after ${timeoutMs} ms)`;
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new DockerCliError(args, null, `cannot run the docker CLI: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new DockerCliError(args, code, stderr));
    });
  });
}

/** Whether an engine answers, and if not, why (for a skip reason or a clear error). */
export async function dockerEngineStatus(): Promise<
  { ok: true; version: string } | { ok: false; reason: string }
> {
  try {
    const version = (
      await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 })
    ).trim();
    return { ok: true, version };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
