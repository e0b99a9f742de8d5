import type { ServerResponse } from 'node:http';

/**
 * What a gateway drain waits for: the API requests admitted (not refused while draining) and not yet
 * finished. Once draining starts, new API requests are refused and readiness reports 503.
 */
export class DrainGate {
  #draining = false;
  #admitted = 0;
  readonly #idleWaiters = new Set<() => void>();

  get draining(): boolean {
    return this.#draining;
  }

  /** Counts the request until its response closes. */
  admit(res: ServerResponse): void {
    this.#admitted++;
    res.once('close', () => {
      this.#admitted--;
      if (this.#admitted === 0) for (const wake of this.#idleWaiters) wake();
    });
  }

  /** Refuses new requests from now on. */
  stopAdmitting(): void {
    this.#draining = true;
  }

  /** Refuses new requests and resolves once every admitted one finished, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    this.#draining = true;
    if (this.#admitted === 0) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#idleWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#idleWaiters.add(done);
    });
  }
}
