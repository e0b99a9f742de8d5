/**
 * The smallest stack with two gateways behind Debian's nginx (one etcd member, one batcher, one worker),
 * with the load balancer's settings given as YAML flow fields (`proxy_next_upstream: false`, ...).
 */
export function balancedYaml(loadBalancer = 'method: round_robin'): string {
  return [
    'etcd: { members: 1 }',
    'nodes: [{ name: solo, gpus: 1 }]',
    'batchers: { replicas: 1 }',
    'gateway: { replicas: 2 }',
    `load_balancer: { enabled: true, ${loadBalancer} }`,
  ].join('\n');
}
