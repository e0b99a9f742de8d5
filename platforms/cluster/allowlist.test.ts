import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { admit, allowlistSchema, budgetOf, loadAllowlist, optInLabel } from './allowlist.js';

const dir = mkdtempSync(join(tmpdir(), 'gauntlet-allowlist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = 'allow.yaml';
const allowlist = allowlistSchema.parse({
  contexts: [{ name: 'kind-test' }, { name: 'prod-a', namespaces: ['chaos'], allowNodeLoss: false }],
});
const optedIn = { [optInLabel.key]: optInLabel.value };

describe('the cluster allowlist and the namespace opt-in', () => {
  it('admits a listed context and an opted-in namespace, with the default budget', () => {
    const admission = admit({
      allowlist,
      file,
      context: 'kind-test',
      namespace: 'x',
      namespaceLabels: optedIn,
    });
    expect(admission.ok).toBe(true);
    if (!admission.ok) return;
    expect(budgetOf(admission.entry, file)).toEqual({
      maxRoleShare: 0.5,
      maxNodeShare: 0.34,
      allowNodeLoss: false,
      source: 'the allowlist allow.yaml (context kind-test)',
    });
  });

  it('refuses a context that is not listed, naming the ones that are', () => {
    expect(admit({ allowlist, file, context: 'prod-b', namespace: 'x', namespaceLabels: optedIn })).toEqual({
      ok: false,
      reason:
        'refused: context "prod-b" is not in the cluster allowlist allow.yaml (listed: kind-test, prod-a); add it there to allow Gauntlet on it',
    });
  });

  it('refuses a namespace the entry does not list, one that does not exist, and one not opted in', () => {
    const other = admit({
      allowlist,
      file,
      context: 'prod-a',
      namespace: 'default',
      namespaceLabels: optedIn,
    });
    expect(other).toMatchObject({
      ok: false,
      reason: expect.stringContaining('namespaces allow.yaml allows'),
    });
    const missing = admit({
      allowlist,
      file,
      context: 'kind-test',
      namespace: 'n',
      namespaceLabels: undefined,
    });
    expect(missing).toMatchObject({ ok: false, reason: expect.stringContaining('does not exist') });
    const unlabelled = admit({ allowlist, file, context: 'kind-test', namespace: 'n', namespaceLabels: {} });
    expect(unlabelled).toEqual({
      ok: false,
      reason:
        'refused: namespace "n" on context "kind-test" has not opted in (label gauntlet.dev/chaos is absent, needs "allowed"); to allow it: kubectl --context kind-test label namespace n gauntlet.dev/chaos=allowed',
    });
    const wrong = admit({
      allowlist,
      file,
      context: 'kind-test',
      namespace: 'n',
      namespaceLabels: { [optInLabel.key]: 'true' },
    });
    expect(wrong).toMatchObject({ ok: false, reason: expect.stringContaining('is "true", needs "allowed"') });
  });

  it('a missing file is a refusal that shows the entry to write; a bad field names file, line and field', () => {
    expect(() => loadAllowlist(join(dir, 'none.yaml'), 'kind-test')).toThrow(
      /no cluster allowlist at .*none\.yaml.*\n {2}contexts:\n {4}- name: kind-test/,
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'contexts:\n  - name: kind-test\n    maxRoleShare: 2\n');
    expect(() => loadAllowlist(bad, 'kind-test')).toThrow(
      `${bad}:3:5: contexts[0].maxRoleShare: must be <= 1 (got 2)`,
    );
  });
});
