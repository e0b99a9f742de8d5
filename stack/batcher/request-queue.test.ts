import { describe, expect, it } from 'vitest';
import { type QueueNode, RequestQueue } from './request-queue.js';

class Node implements QueueNode<Node> {
  queuePrev: Node | undefined;
  queueNext: Node | undefined;
  inQueue = false;
  constructor(readonly name: string) {}
}

function drain(queue: RequestQueue<Node>): string[] {
  const names: string[] = [];
  for (let node = queue.shift(); node; node = queue.shift()) names.push(node.name);
  return names;
}

describe('RequestQueue', () => {
  it('is FIFO, takes re-dispatched entries at the front and removes from the middle', () => {
    const queue = new RequestQueue<Node>();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => new Node(name)) as [Node, Node, Node, Node];
    queue.pushBack(a);
    queue.pushBack(b);
    queue.pushBack(c);
    expect(queue.remove(b)).toBe(true);
    expect(queue.remove(b)).toBe(false);
    queue.pushFront(d);
    queue.pushBack(d);
    expect(queue.length).toBe(3);
    expect(queue.peek()?.name).toBe('d');
    expect(drain(queue)).toEqual(['d', 'a', 'c']);
    expect(queue.length).toBe(0);
    expect(queue.peek()).toBeUndefined();
  });
});
