import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterConfig } from '../../core/config/cluster-config.js';
import { UserFacingError } from '../../core/errors/user-facing-error.js';
import { loadBalancerHealthPath, renderNginxConf } from '../../core/load-balancer/nginx-conf.js';
import type { CpuSet } from '../../core/process/cpu-set.js';
import { freePort } from '../../core/process/free-port.js';
import { SupervisedProcess } from '../../core/process/supervised-process.js';
import type { Launched } from './local-component.js';

/** Debian's nginx, as `npm run setup` installs it. */
export const nginxBinary = '/usr/sbin/nginx';

export interface LocalLoadBalancer {
  /** Where nginx keeps its config, pid and temp files. */
  dir: string;
  url: string;
  /** Starts nginx; `adopt` gets the process at once, so teardown reaches it while it comes up. */
  launch(adopt: (launched: Launched) => void): Promise<Launched>;
}

interface LoadBalancerOptions {
  runDir: string;
  logFile: string;
  /** `127.0.0.1:<port>` of each gateway, gateway-0 first; fixed, so a restarted gateway is found again. */
  gateways: string[];
  config: ClusterConfig;
  detached: boolean;
  readyTimeoutMs: number;
  cpus: CpuSet | undefined;
}

/**
 * The seed's nginx in front of the gateways, as one process with its own prefix folder in the run folder,
 * on a free port of 127.0.0.1. `master_process off` keeps it one process: the pid the harness holds is
 * the one that serves (a killed master would leave its workers behind), and every request sees one
 * process's view of which gateway is down, as a single nginx worker would.
 */
export async function planLocalLoadBalancer(options: LoadBalancerOptions): Promise<LocalLoadBalancer> {
  if (!existsSync(nginxBinary)) {
    throw new UserFacingError(
      `load_balancer.enabled needs Debian's nginx at ${nginxBinary}; \`npm run setup\` installs it (apt-get install nginx)`,
    );
  }
  const dir = join(options.runDir, 'nginx');
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const port = await freePort();
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(
    confFile,
    renderNginxConf({
      listen: `127.0.0.1:${port}`,
      gateways: options.gateways,
      settings: options.config.load_balancer,
      requestTimeoutMs: options.config.gateway.request_timeout_ms,
      // Both logs go to the component's log file, as on docker: the access log's JSON lines among the
      // error log's lines (access-log.ts skips those).
      paths: {
        pidFile: join(dir, 'nginx.pid'),
        errorLog: 'stderr',
        accessLog: '/dev/stdout',
        tempDir: join(dir, 'tmp'),
      },
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    dir,
    url,
    launch: async (adopt) => {
      const proc = SupervisedProcess.start({
        command: nginxBinary,
        // -e: Debian's compiled-in error log (/var/log/nginx) is opened before the config is read.
        args: ['-p', `${dir}/`, '-c', confFile, '-e', 'stderr', '-g', 'daemon off; master_process off;'],
        logFile: options.logFile,
        detached: options.detached,
        ...(options.cpus ? { cpus: options.cpus } : {}),
      });
      adopt({ process: proc, url });
      await waitForNginx(url, options.readyTimeoutMs, () => proc.exited);
      return { process: proc, url };
    },
  };
}

/** nginx answers its own health location (no gateway involved) once it listens. */
async function waitForNginx(url: string, timeoutMs: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (exited()) throw new Error('nginx exited before it answered');
    try {
      const response = await fetch(`${url}${loadBalancerHealthPath}`, { signal: AbortSignal.timeout(500) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(20);
  }
  throw new Error(`nginx at ${url} did not answer after ${timeoutMs} ms (${last})`);
}
