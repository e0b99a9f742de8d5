/**
 * The worker's prefix cache: which prompt blocks (see stack/protocol/prefix-blocks.ts) have KV computed and
 * kept, so a prompt that starts with them skips their prefill, as vLLM's automatic prefix caching and
 * SGLang's radix cache do. Bounded in tokens; least recently used blocks go first. A request's blocks are
 * touched last block first, so its first block is the most recent of them and its tail is evicted before
 * its head (vLLM frees a request's blocks in reverse order for the same reason): a shared head survives
 * longer than the unique tails hanging off it, and a chain never loses its head while keeping its tail.
 */
export class PrefixCache {
  /** Block hash -> present; a Map iterates in insertion order, which is the LRU order here. */
  private readonly blocks = new Map<number, true>();
  private readonly capacityBlocks: number;

  constructor(
    capacityTokens: number,
    readonly blockTokens: number,
  ) {
    if (!(blockTokens >= 1)) throw new RangeError(`blockTokens must be >= 1 (got ${blockTokens})`);
    this.capacityBlocks = Math.max(0, Math.floor(capacityTokens / blockTokens));
  }

  /** Blocks cached now. */
  get size(): number {
    return this.blocks.size;
  }

  get capacityTokens(): number {
    return this.capacityBlocks * this.blockTokens;
  }

  /** How many leading blocks of `hashes` are cached; those blocks become the most recently used. */
  match(hashes: readonly number[]): number {
    let hits = 0;
    while (hits < hashes.length && this.blocks.has(hashes[hits] as number)) hits++;
    this.touch(hashes, hits);
    return hits;
  }

  /** Records every block of `hashes` as cached (most recent), evicting the least recently used beyond capacity. */
  insert(hashes: readonly number[]): void {
    if (this.capacityBlocks === 0) return;
    // Beyond capacity a prompt's own tail would only evict its head: keep the head that fits.
    this.touch(hashes, Math.min(hashes.length, this.capacityBlocks));
    let excess = this.blocks.size - this.capacityBlocks;
    if (excess <= 0) return;
    for (const hash of this.blocks.keys()) {
      this.blocks.delete(hash);
      if (--excess === 0) break;
    }
  }

  private touch(hashes: readonly number[], count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      const hash = hashes[i] as number;
      this.blocks.delete(hash);
      this.blocks.set(hash, true);
    }
  }
}
