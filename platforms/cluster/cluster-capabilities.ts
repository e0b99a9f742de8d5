import { type Capabilities, supported, unsupported } from '../../core/platform/capabilities.js';

const noMachineControl =
  'Gauntlet has no hand on the machines of an existing cluster (no power switch, no node container); ' +
  'node-drain (cordon and evict, honouring PDBs) is the node fault there';

/** Pods on a cluster Gauntlet does not own: faults through the Kubernetes API only. */
export const clusterCapabilities: Capabilities = {
  kill: supported,
  'graceful-stop': supported,
  freeze: unsupported('a single pod cannot be paused through the Kubernetes API'),
  'node-kill': unsupported(noMachineControl),
  'node-freeze': unsupported(noMachineControl),
  'node-drain': supported,
  'link-faults': unsupported('fault proxies on the links are not built for Kubernetes platforms yet'),
  'gpu-faults': supported,
  'pod-http-faults': supported,
};
