import type { LinkDirection, LinkName } from './links.js';

export type { LinkDirection, LinkName };

/** A network fault on the proxy in front of one destination of a link. */
export type LinkToxic =
  | { kind: 'latency'; latencyMs: number; jitterMs: number; direction: LinkDirection }
  /** Data is dropped and connections stay open (toxiproxy `timeout` with timeout 0). */
  | { kind: 'blackhole'; direction: LinkDirection }
  /** Existing connections are closed and new ones refused (the proxy disabled). */
  | { kind: 'refuse' }
  | { kind: 'bandwidth'; rateKBps: number; direction: LinkDirection }
  /** Connections are reset (RST) after timeoutMs. */
  | { kind: 'reset_peer'; timeoutMs: number };

/** Something a link fault left behind: a toxic on a proxy, or a disabled proxy. */
export interface LinkLeftover {
  link: LinkName;
  targetId: string;
  proxy: string;
  what: string;
}

/**
 * Network faults between roles, implemented by the platform (local: toxiproxy; containers: the same proxy
 * in the network; Kubernetes: whatever it has). The chaos layer only calls this.
 */
export interface LinkFaults {
  /** Destination component ids that have a proxy on this link. */
  targets(link: LinkName): string[];
  /** Applies the toxic in front of targetId; resolves with its undo once it is in force. */
  inject(link: LinkName, targetId: string, toxic: LinkToxic): Promise<() => Promise<void>>;
  /** Every toxic and disabled proxy still in place (the after-experiment audit). */
  leftovers(): Promise<LinkLeftover[]>;
  /** Removes every toxic and re-enables every proxy. */
  clearAll(): Promise<void>;
}
