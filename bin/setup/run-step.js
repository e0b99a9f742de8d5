// @ts-check
import { spawn, spawnSync } from 'node:child_process';

/** @param {string} name */
export function onPath(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Runs a command; shows a progress line every few seconds unless quiet; rejects with its output's tail.
 * @param {string} label
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, quiet?: boolean, log: (m: string) => void }} options
 */
export function runStep(label, command, args, options) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
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
    const timer = options.quiet
      ? undefined
      : setInterval(() => options.log(`  ${label}... ${Math.round((Date.now() - started) / 1000)} s`), 5000);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(new Error(`${label}: cannot run ${command}: ${error.message}`));
    });
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${label} failed (exit ${code}):\n${output.split('\n').slice(-25).join('\n')}`));
    });
  });
}
