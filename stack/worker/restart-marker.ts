import type { Etcd3 } from 'etcd3';
import { registryPrefix } from '../protocol/registry-keys.js';

/**
 * The key that says worker `id` has started before in this cluster's etcd. It has no lease: it outlives the
 * process, unlike the registration, which a killed worker's lease takes away within seconds.
 */
export const startMarkerKey = (cluster: string, id: string) =>
  `${registryPrefix(cluster)}defects/started/${id}`;

/**
 * Records this start and answers whether an earlier process of the same worker id had already recorded one
 * (one transaction, so two processes of one id cannot both read "first"). Only the defect switches ask: a
 * healthy stack writes no marker.
 */
export async function recordStart(etcd: Etcd3, cluster: string, id: string): Promise<boolean> {
  const key = startMarkerKey(cluster, id);
  const result = await etcd
    .if(key, 'Create', '==', 0)
    .then(etcd.put(key).value(String(Date.now())))
    .commit();
  return !result.succeeded;
}
