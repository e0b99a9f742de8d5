import type { Role } from './roles.js';

/** A component a config will have (or has), named as its platform names it. */
export interface PlannedComponent {
  role: Role;
  id: string;
  node: string;
}

/**
 * The topology a platform will build from a config, known before anything runs: `--dry-run`, experiment
 * validation and capability checks use it; a running stack's own components() agree with it.
 */
export interface StackPlan {
  nodes: string[];
  components: PlannedComponent[];
}
