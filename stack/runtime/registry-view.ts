import type { Etcd3, Watcher } from 'etcd3';

/** What routing code needs from a registry: the records now, and a call when they change. */
export interface RecordSource<T> {
  values(): T[];
  onChange(listener: () => void): () => void;
}

/** A fixed set of records, for tests and for stacks without etcd. */
export class StaticRecordSource<T> implements RecordSource<T> {
  private readonly listeners = new Set<() => void>();
  constructor(private records: T[]) {}
  values(): T[] {
    return this.records;
  }
  set(records: T[]): void {
    this.records = records;
    for (const listener of this.listeners) listener();
  }
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * A live, local copy of every record under an etcd prefix: a full read, then a watch from the next revision.
 * When etcd is unreachable the last known state stays (static stability): losing etcd quorum must not stop
 * routing to components that are still alive.
 */
export class RegistryView<T> implements RecordSource<T> {
  private readonly records = new Map<string, T>();
  private watcher: Watcher | undefined;
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly client: Etcd3,
    private readonly prefix: string,
  ) {}

  static async open<T>(client: Etcd3, prefix: string): Promise<RegistryView<T>> {
    const view = new RegistryView<T>(client, prefix);
    await view.start();
    return view;
  }

  values(): T[] {
    return [...this.records.values()];
  }

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.watcher?.cancel().catch(() => {});
  }

  private async start(): Promise<void> {
    const response = await this.client.getAll().prefix(this.prefix).exec();
    for (const kv of response.kvs) this.set(kv.key.toString(), kv.value.toString());
    const nextRevision = (BigInt(response.header.revision) + 1n).toString();
    this.watcher = await this.client.watch().prefix(this.prefix).startRevision(nextRevision).create();
    this.watcher.on('put', (kv) => {
      this.set(kv.key.toString(), kv.value.toString());
      this.emit();
    });
    this.watcher.on('delete', (kv) => {
      this.records.delete(kv.key.toString().slice(this.prefix.length));
      this.emit();
    });
    // The client library reconnects watches by itself; errors here only mean etcd is away for now.
    this.watcher.on('error', () => {});
  }

  private set(key: string, raw: string): void {
    try {
      this.records.set(key.slice(this.prefix.length), JSON.parse(raw) as T);
    } catch {
      // A foreign value under our prefix: ignore it rather than crash routing.
    }
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
