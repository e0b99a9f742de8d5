/** An object already in the namespace, as the refusal names it. */
export interface ExistingObject {
  kind: string;
  name: string;
  /** Its `gauntlet.dev/run` label: the Gauntlet run that created it. */
  runId?: string | undefined;
  /** Being deleted (a teardown still under way). */
  deleting?: boolean | undefined;
}

/** An object a deploy would create. */
export interface PlannedObject {
  kind: string;
  name: string;
}

export interface NamespaceConflicts {
  /** Objects another Gauntlet run created, by run id. */
  byRun: Map<string, ExistingObject[]>;
  /** Objects no run labelled, under a name the deploy would create (a stack applied by hand, say). */
  unlabelled: ExistingObject[];
}

/**
 * What a deploy into the namespace would collide with: any object another Gauntlet run left there (one
 * stack per namespace: two runs' etcd, batchers and workers would register in each other's registry,
 * and each run's faults and detection would see the other's pods), and any object under a name the deploy
 * would create (`kubectl apply` would overwrite it: StatefulSet/etcd, Deployment/gateway ...). Undefined
 * when there is none. Pure.
 */
export function namespaceConflicts(
  existing: readonly ExistingObject[],
  planned: readonly PlannedObject[],
): NamespaceConflicts | undefined {
  const key = (o: PlannedObject) => `${o.kind}/${o.name}`;
  const wanted = new Set(planned.map(key));
  const seen = new Set<string>();
  const byRun = new Map<string, ExistingObject[]>();
  const unlabelled: ExistingObject[] = [];
  for (const object of existing) {
    if (seen.has(key(object))) continue;
    seen.add(key(object));
    if (object.runId) byRun.set(object.runId, [...(byRun.get(object.runId) ?? []), object]);
    else if (wanted.has(key(object))) unlabelled.push(object);
  }
  return byRun.size > 0 || unlabelled.length > 0 ? { byRun, unlabelled } : undefined;
}

/** How many objects of a group the refusal names before it counts the rest. */
const NAMED_PER_GROUP = 8;

/** The refusal: what is there, whose it is, and the three ways on. */
export function conflictRefusal(
  conflicts: NamespaceConflicts,
  where: { context: string; namespace: string },
): string {
  const list = (objects: readonly ExistingObject[]) => {
    const named = objects
      .slice(0, NAMED_PER_GROUP)
      .map((o) => `${o.kind}/${o.name}${o.deleting ? ' (being deleted)' : ''}`);
    const more = objects.length - named.length;
    return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  };
  const lines = [
    `refused: namespace "${where.namespace}" on context "${where.context}" already holds a Gauntlet stack, which this deploy would overwrite or mix with:`,
  ];
  for (const [runId, objects] of conflicts.byRun) lines.push(`  run ${runId}: ${list(objects)}`);
  if (conflicts.unlabelled.length > 0) {
    lines.push(`  not made by a Gauntlet run (no gauntlet.dev/run label): ${list(conflicts.unlabelled)}`);
  }
  const runs = [...conflicts.byRun.keys()];
  lines.push('Either:');
  if (runs.length > 0) {
    lines.push(
      `  - remove that run's stack: ${runs.map((id) => `gauntlet down --run ${id}`).join('; ')} (where that run was started; elsewhere kubectl delete statefulsets,deployments,services,pdb,hpa,configmaps,secrets -l gauntlet.dev/run=ID -n ${where.namespace})`,
    );
  }
  lines.push(
    '  - test the stack that is there instead of deploying one: add --attach',
    '  - or deploy into another namespace: --namespace (one you created and labelled gauntlet.dev/chaos=allowed)',
  );
  return lines.join('\n');
}
