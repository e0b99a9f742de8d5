import { spawn } from 'node:child_process';

export interface CommandOptions {
  /** Written to the command's stdin. */
  input?: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion; rejects with the command line, exit status and stderr's tail. */
export function command(file: string, args: string[], options: CommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${file}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else {
        const how = signal === 'SIGKILL' ? `killed after ${options.timeoutMs} ms` : `exit ${code ?? signal}`;
        reject(new Error(`${file} ${args.join(' ')}: ${how}\n${stderr.trim()}`));
      }
    });
    // a command that exits without reading all its input is judged by its exit status, not by EPIPE
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}
