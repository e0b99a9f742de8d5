import type { ComponentInfo } from './component.js';
import { type ComponentSelector, matches } from './platform.js';

/**
 * The lookups every StackHandle answers the same way over its components, whatever runs them (processes,
 * containers, pods): by selector, by id (an unknown id names the ones that exist), nodes, descriptions.
 */
export class ComponentList<C extends ComponentInfo> {
  constructor(private readonly all: readonly C[]) {}

  select(selector?: ComponentSelector): C[] {
    return this.all.filter((c) => matches(c, selector));
  }

  byId(id: string): C {
    const found = this.all.find((c) => c.id === id);
    if (!found) throw new Error(`no component "${id}"; components: ${this.all.map((c) => c.id).join(', ')}`);
    return found;
  }

  nodes(): string[] {
    return [...new Set(this.all.map((c) => c.node))];
  }

  /** Plain records (no handles) for `describe()`, `gauntlet up --json` and state files. */
  infos(): ComponentInfo[] {
    return this.all.map(({ role, id, node, url, instance }) => ({ role, id, node, url, instance }));
  }
}
