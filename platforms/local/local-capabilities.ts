import { type Capabilities, supported, unsupported } from '../../core/platform/capabilities.js';

/** Processes on one machine: signals for kill, stop and freeze; toxiproxy for links; the workers' admin API. */
export const localCapabilities: Capabilities = {
  kill: supported,
  'graceful-stop': supported,
  freeze: supported,
  'node-kill': supported,
  'node-freeze': supported,
  'node-drain': unsupported('local processes have no scheduler to move them to another node'),
  'link-faults': supported,
  'gpu-faults': supported,
  'pod-http-faults': unsupported(
    'xk6-disruptor injects its agent into Kubernetes pods; on local processes, network-latency (toxiproxy) delays a link',
  ),
};
