/** What a drain did: the pods it evicted, and those a PodDisruptionBudget kept (with the API's reason). */
export interface DrainOutcome {
  evicted: string[];
  blocked: Array<{ pod: string; reason: string }>;
}

/**
 * Faults on a whole node, for platforms where a node is a machine of its own (kind's node containers,
 * a real cluster's nodes): losing it takes down everything on it at once, as the scheduler and the
 * node controller see it. Platforms without it (local, docker) model a node as the components placed
 * on it, and the fault API acts on those components one by one.
 */
export interface NodeFaults {
  /** The node stops at once (power loss). */
  kill(node: string): Promise<void>;
  /** The node comes back; resolves when it is Ready again and its components are. */
  restart(node: string): Promise<void>;
  /** The node stops being scheduled by its kernel: it keeps its connections and answers nothing. */
  freeze(node: string): Promise<void>;
  thaw(node: string): Promise<void>;
  /** Cordon, then evict its pods through the eviction API, which honours PodDisruptionBudgets. */
  drain(node: string): Promise<DrainOutcome>;
  /** Undo a drain: the node takes pods again. */
  uncordon(node: string): Promise<void>;
}
