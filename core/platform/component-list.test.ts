import { describe, expect, it } from 'vitest';
import type { ComponentInfo } from './component.js';
import { ComponentList } from './component-list.js';

const c = (role: ComponentInfo['role'], id: string, node: string): ComponentInfo => ({
  role,
  id,
  node,
  url: undefined,
  instance: undefined,
});

describe('ComponentList', () => {
  const list = new ComponentList([
    c('worker', 'a-gpu0', 'a'),
    c('worker', 'b-gpu0', 'b'),
    c('gateway', 'gateway-0', 'control'),
  ]);

  it('selects by role and node, finds by id, lists nodes once', () => {
    expect(list.select({ role: 'worker' }).map((x) => x.id)).toEqual(['a-gpu0', 'b-gpu0']);
    expect(list.select({ node: 'b' }).map((x) => x.id)).toEqual(['b-gpu0']);
    expect(list.byId('gateway-0').role).toBe('gateway');
    expect(list.nodes()).toEqual(['a', 'b', 'control']);
  });

  it('names the components that exist when an id does not', () => {
    expect(() => list.byId('nope')).toThrow('no component "nope"; components: a-gpu0, b-gpu0, gateway-0');
  });
});
