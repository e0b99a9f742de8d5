// @ts-check
import { spawn, spawnSync } from 'node:child_process';

/** @param {string} name */
export function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

/** Where `name` is on PATH, or undefined. @param {string} name */
export function pathOf(name) {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
}

/**
 * The first line a command prints (for versions: `etcd --version`); undefined when it fails or hangs.
 * @param {string} command
 * @param {string[]} args
 */
export function firstLine(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) return undefined;
  return `${result.stdout}\n${result.stderr}`.trim().split('\n')[0]?.trim() || undefined;
}

/**
 * Runs a command while a progress display shows how long it has been running (see progress.js); rejects
 * with its output's tail.
 * @param {string} label
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, progress: import('./progress.js').StartProgress, expected?: string }} options
 */
export function runStep(label, command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (/** @type {Buffer} */ chunk) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const progress = options.progress(label, options.expected);
    child.on('error', (error) => {
      progress.stop();
      reject(new Error(`${label}: cannot run ${command}: ${error.message}`));
    });
    child.on('exit', (code) => {
      progress.stop();
      if (code === 0) resolve(output);
      else reject(new Error(`${label} failed (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}`));
    });
  });
}
