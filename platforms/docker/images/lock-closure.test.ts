import { describe, expect, it } from 'vitest';
import { lockClosure, type PackageLock } from './lock-closure.js';

const lock: PackageLock = {
  lockfileVersion: 3,
  packages: {
    '': { dependencies: { a: '1', c: '1' } },
    'node_modules/a': { dependencies: { b: '^2' }, optionalDependencies: { fsevents: '*' } },
    'node_modules/a/node_modules/b': { dependencies: { d: '1' } },
    'node_modules/b': {},
    'node_modules/c': {
      dependencies: { b: '^1' },
      peerDependencies: { p: '1' },
      peerDependenciesMeta: { p: { optional: true } },
    },
    'node_modules/d': {},
    'node_modules/dev-only': { dev: true },
  },
};

describe('lockClosure', () => {
  it('resolves nested copies first, then outwards, and skips optional packages that are absent', () => {
    expect(lockClosure(lock, ['a'])).toEqual([
      'node_modules/a',
      'node_modules/a/node_modules/b',
      'node_modules/d',
    ]);
  });

  it('takes the top-level copy when there is no nested one', () => {
    expect(lockClosure(lock, ['c'])).toEqual(['node_modules/b', 'node_modules/c']);
  });

  it('names a required package that is not installed', () => {
    const broken: PackageLock = { packages: { 'node_modules/a': { dependencies: { gone: '1' } } } };
    expect(() => lockClosure(broken, ['a'])).toThrow('node_modules/a needs gone, which is not installed');
  });

  it('resolves the real lock file: etcd3 brings its gRPC client', async () => {
    const { readFile } = await import('node:fs/promises');
    const real = JSON.parse(await readFile('package-lock.json', 'utf8')) as PackageLock;
    const closure = lockClosure(real, ['etcd3']);
    expect(closure).toContain('node_modules/etcd3');
    expect(closure).toContain('node_modules/@grpc/grpc-js');
    expect(closure).not.toContain('node_modules/vitest');
  });
});
