import { type Capabilities, supported, unsupported } from '../../core/platform/capabilities.js';

/** Pods on a kind cluster: faults through the Kubernetes API, a node is a node container. */
export const kindCapabilities: Capabilities = {
  kill: supported,
  'graceful-stop': supported,
  freeze: unsupported(
    'a single pod cannot be paused through the Kubernetes API; node-freeze pauses the whole node',
  ),
  'node-kill': supported,
  'node-freeze': supported,
  'node-drain': supported,
  'link-faults': unsupported('fault proxies on the links are not built for the kind platform yet'),
  'gpu-faults': supported,
  'pod-http-faults': supported,
};
