import type { LoadBalancerConfig } from '../config/cluster-config.js';

/** nginx's own readiness answer, served without touching a gateway. */
export const loadBalancerHealthPath = '/gauntlet-lb/healthz';

export interface NginxConfInput {
  /** nginx's `listen` argument: `127.0.0.1:8123` on the local platform, `8080` in a container. */
  listen: string;
  /** `host:port` of each gateway, gateway-0 first (weights and backups follow this order). */
  gateways: readonly string[];
  settings: LoadBalancerConfig;
  /** The gateway's own request timeout: nginx must not cut a long stream before the gateway would. */
  requestTimeoutMs: number;
  /** Where nginx writes; the local platform points them into the run folder, a container at /tmp. */
  paths: { pidFile: string; errorLog: string; accessLog: string; tempDir: string };
}

/**
 * One access-log line per request as JSON: when it ended (`t`, Unix seconds with ms), the status the
 * client got, and every gateway nginx tried for it in order (`upstream`, `upstream_status`, comma-separated
 * as nginx writes them), so a run can see which requests met a dead gateway and which were retried.
 */
const accessLogFormat =
  '\'{"t":$msec,"status":$status,"request_time":$request_time,"uri":"$request_uri",\'\n' +
  '      \'"upstream":"$upstream_addr","upstream_status":"$upstream_status"}\'';

/** The seed's `upstream` block, one server line per gateway. */
export function renderUpstream(input: Pick<NginxConfInput, 'gateways' | 'settings'>): string {
  const { gateways, settings } = input;
  const firstBackup = gateways.length - settings.backup;
  const servers = gateways.map((address, i) => {
    const weight = settings.weights[i] ?? 1;
    const parts = [`server ${address}`];
    if (weight !== 1) parts.push(`weight=${weight}`);
    parts.push(`max_fails=${settings.max_fails}`, `fail_timeout=${settings.fail_timeout_s}s`);
    if (i >= firstBackup) parts.push('backup');
    return `    ${parts.join(' ')};`;
  });
  return [
    'upstream gateways {',
    ...(settings.method === 'least_conn' ? ['    least_conn;'] : []),
    ...servers,
    // Idle connections kept to the gateways, as a client library would keep them.
    '    keepalive 32;',
    '  }',
  ].join('\n');
}

function nextUpstream(settings: LoadBalancerConfig): string {
  if (!settings.proxy_next_upstream) return 'proxy_next_upstream off;';
  const conditions = ['error', 'timeout', 'http_502', 'http_503'];
  if (settings.retry_sent_requests) conditions.push('non_idempotent');
  return `proxy_next_upstream ${conditions.join(' ')};`;
}

/** A whole nginx.conf for a load balancer in front of the gateways. Pure: same input, same text. */
export function renderNginxConf(input: NginxConfInput): string {
  if (input.gateways.length === 0) throw new Error('nginx needs at least one gateway to balance to');
  const { paths, settings } = input;
  const readTimeoutS = Math.ceil(input.requestTimeoutMs / 1000) + 5;
  const temp = (name: string) => `${paths.tempDir}/${name}`;
  return `# Rendered by Gauntlet (core/load-balancer/nginx-conf.ts) for this run; do not edit.
worker_processes 1;
pid ${paths.pidFile};
error_log ${paths.errorLog} warn;

events {
  worker_connections 4096;
}

http {
  log_format gauntlet escape=json
    ${accessLogFormat};
  access_log ${paths.accessLog} gauntlet;
  client_body_temp_path ${temp('client_body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  # The gateway enforces its own body limit (413 in OpenAI's shape); nginx must not answer first.
  client_max_body_size 0;

  ${renderUpstream(input)}

  server {
    listen ${input.listen};

    location = ${loadBalancerHealthPath} {
      access_log off;
      default_type text/plain;
      return 200 "ok\\n";
    }

    location / {
      proxy_pass http://gateways;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      # Streams (SSE) go to the client token by token, not when nginx's buffer fills.
      proxy_buffering off;
      proxy_connect_timeout ${settings.connect_timeout_ms}ms;
      proxy_read_timeout ${readTimeoutS}s;
      proxy_send_timeout ${readTimeoutS}s;
      ${nextUpstream(settings)}
    }
  }
}
`;
}
