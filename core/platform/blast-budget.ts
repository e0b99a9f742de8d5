/**
 * How much of a cluster one fault may damage: the production interlock's limit on an existing cluster
 * (chaos/experiment/blast-budget.ts judges a plan against it). The whole-role check stops outages; this
 * stops large partial damage on a cluster that serves users, and node loss there unless allowed.
 */
export interface BlastBudget {
  /** Largest share (0-1) of one role's replicas that one fault may act on. */
  maxRoleShare: number;
  /** Largest share (0-1) of the nodes that one node fault may act on (drain included). */
  maxNodeShare: number;
  /** Node kill and node freeze; without it a cluster allows cordon-and-drain only. */
  allowNodeLoss: boolean;
  /** Where the budget came from, named in every refusal ("the allowlist ~/.gauntlet/…, context prod-a"). */
  source: string;
}
