import { type Capabilities, supported, unsupported } from '../../core/platform/capabilities.js';

/**
 * Containers on one engine: docker kill / stop / pause; a node is the containers labelled with it; link
 * faults are toxics on the run's toxiproxy container.
 */
export const dockerCapabilities: Capabilities = {
  kill: supported,
  'graceful-stop': supported,
  freeze: supported,
  'node-kill': supported,
  'node-freeze': supported,
  'node-drain': unsupported('the docker platform has no scheduler to move containers to another node'),
  // With networkProxies: a toxiproxy container on the run's network, a proxy on every link (no netem here).
  'link-faults': supported,
  'gpu-faults': supported,
  'pod-http-faults': unsupported(
    'xk6-disruptor injects its agent into Kubernetes pods; on docker, network-latency (toxiproxy) delays a link',
  ),
};
