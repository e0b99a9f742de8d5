import { type Capabilities, supported, unsupported } from '../../core/platform/capabilities.js';

/** Containers on one engine: docker kill / stop / pause; a node is the containers labelled with it. */
export const dockerCapabilities: Capabilities = {
  kill: supported,
  'graceful-stop': supported,
  freeze: supported,
  'node-kill': supported,
  'node-freeze': supported,
  'node-drain': unsupported('the docker platform has no scheduler to move containers to another node'),
  'link-faults': unsupported('fault proxies on the links are not built for the docker platform yet'),
  'gpu-faults': supported,
};
