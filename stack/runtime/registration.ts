import type { Etcd3, Lease } from 'etcd3';

/**
 * Keeps one key registered under a lease with keep-alives. When the lease is lost (etcd lost quorum, or the
 * process was frozen past its TTL) it registers again as soon as etcd answers, so a component that comes
 * back is routable again without a restart.
 */
export class Registration {
  private lease: Lease | undefined;
  private value: string;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly client: Etcd3,
    private readonly key: string,
    value: unknown,
    private readonly ttlS: number,
    private readonly log: (message: string) => void,
  ) {
    this.value = JSON.stringify(value);
  }

  static async create(
    client: Etcd3,
    key: string,
    value: unknown,
    ttlS: number,
    log: (message: string) => void = () => {},
  ): Promise<Registration> {
    const registration = new Registration(client, key, value, ttlS, log);
    await registration.register();
    return registration;
  }

  /** Replaces the registered value (for example ready -> draining). */
  async update(value: unknown): Promise<void> {
    this.value = JSON.stringify(value);
    if (this.lease && !this.lease.revoked()) await this.lease.put(this.key).value(this.value).exec();
  }

  /** Removes the key now (graceful deregistration). */
  async revoke(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const lease = this.lease;
    this.lease = undefined;
    if (lease && !lease.revoked()) {
      await lease.revoke({ deadline: Date.now() + 2_000 }).catch(() => {});
    }
  }

  private async register(): Promise<void> {
    const lease = this.client.lease(this.ttlS);
    lease.on('lost', (error) => {
      if (this.closed || this.lease !== lease) return;
      this.log(`registration lease lost (${error.message}); registering again`);
      this.lease = undefined;
      this.scheduleRetry();
    });
    await lease.put(this.key).value(this.value).exec();
    this.lease = lease;
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.register().catch((error: Error) => {
        this.log(`registering again failed (${error.message}); will retry`);
        this.scheduleRetry();
      });
    }, 500);
  }
}
