import { describe, expect, it } from 'vitest';
import { prefixBlockChars, prefixBlockHashes } from '../protocol/prefix-blocks.js';
import { PrefixCache } from './prefix-cache.js';

const text = (word: string, blocks: number) =>
  word.repeat(Math.ceil((blocks * prefixBlockChars) / word.length));

describe('prefixBlockHashes', () => {
  it('names whole blocks only, and a block by everything before it too', () => {
    const shared = text('system prompt ', 4).slice(0, 4 * prefixBlockChars);
    const a = prefixBlockHashes(`${shared}${text('question one ', 2)}`);
    const b = prefixBlockHashes(`${shared}${text('other thing ', 2)}`);
    expect(a).toHaveLength(6);
    expect(b.slice(0, 4)).toEqual(a.slice(0, 4));
    expect(b[4]).not.toBe(a[4]);
    expect(prefixBlockHashes('x'.repeat(prefixBlockChars - 1))).toEqual([]);
    // The same block text after a different head has another name (chained).
    const tail = 'y'.repeat(prefixBlockChars);
    expect(prefixBlockHashes(`${'a'.repeat(prefixBlockChars)}${tail}`)[1]).not.toBe(
      prefixBlockHashes(`${'b'.repeat(prefixBlockChars)}${tail}`)[1],
    );
  });
});

describe('PrefixCache', () => {
  it('matches the leading cached blocks only', () => {
    const cache = new PrefixCache(1_000, 16);
    expect(cache.match([1, 2, 3])).toBe(0);
    cache.insert([1, 2, 3]);
    expect(cache.match([1, 2, 3, 4])).toBe(3);
    expect(cache.match([1, 9, 3])).toBe(1);
    expect(cache.match([2, 3])).toBe(2);
    expect(cache.size).toBe(3);
  });

  it('stays within its capacity, evicting least recently used blocks, a chain tail before its head', () => {
    const cache = new PrefixCache(4 * 16, 16);
    expect(cache.capacityTokens).toBe(64);
    cache.insert([1, 2, 3]);
    cache.insert([7, 8]);
    expect(cache.size).toBe(4);
    // [1,2,3] was touched tail first, so 3 went first and the head 1 survives.
    expect(cache.match([1, 2, 3])).toBe(2);
    // That match made [1,2] the most recent: the next insert evicts 7 and 8 before them.
    cache.insert([5, 6]);
    expect(cache.match([1, 2])).toBe(2);
    expect(cache.match([7])).toBe(0);
    expect(cache.match([5, 6])).toBe(2);
  });

  it('keeps the head of a prompt longer than the whole cache, and caches nothing at capacity 0', () => {
    const cache = new PrefixCache(2 * 16, 16);
    cache.insert([1, 2, 3, 4]);
    expect(cache.size).toBe(2);
    expect(cache.match([1, 2, 3, 4])).toBe(2);
    const none = new PrefixCache(0, 16);
    none.insert([1, 2]);
    expect(none.match([1, 2])).toBe(0);
  });

  it('rounds its capacity down to whole blocks and refuses a block size below 1', () => {
    expect(new PrefixCache(40, 16).capacityTokens).toBe(32);
    expect(() => new PrefixCache(40, 0)).toThrow(/blockTokens must be >= 1/);
  });
});
