import { Etcd3 } from 'etcd3';

/** One etcd client a process; short dial timeout so a dead member is skipped quickly. */
export function createEtcdClient(endpoints: string[]): Etcd3 {
  return new Etcd3({ hosts: endpoints, dialTimeout: 1_000 });
}
