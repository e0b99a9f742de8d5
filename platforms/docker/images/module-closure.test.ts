import { describe, expect, it } from 'vitest';
import { importSpecifiers, moduleClosure, packageName } from './module-closure.js';

const sources: Record<string, string> = {
  '/d/stack/worker/main.js': [
    "import { a } from '../runtime/a.js';",
    "import { Etcd3 } from 'etcd3';",
    "import { join } from 'node:path';",
  ].join('\n'),
  '/d/stack/runtime/a.js': [
    "export { cfg } from '../../core/config/cluster-config.js';",
    "import { request } from 'undici';",
    "const lazy = await import('prom-client');",
  ].join('\n'),
  '/d/core/config/cluster-config.js': "import { z } from 'zod/v4';\nimport '@scope/pkg/deep/file.js';\n",
  '/d/harness/unrelated.js': "import 'commander';\n",
};

describe('moduleClosure', () => {
  it('follows relative imports from the entries and collects the packages they import', () => {
    const closure = moduleClosure(['/d/stack/worker/main.js'], (file) => {
      const source = sources[file];
      if (source === undefined) throw new Error(`no ${file}`);
      return source;
    });
    expect(closure.files).toEqual([
      '/d/core/config/cluster-config.js',
      '/d/stack/runtime/a.js',
      '/d/stack/worker/main.js',
    ]);
    expect(closure.packages).toEqual(['@scope/pkg', 'etcd3', 'prom-client', 'undici', 'zod']);
  });

  it('does not take prose in a comment for an import', () => {
    const source = `/** Tells "the stack was slow" from "the stack's host was short of CPU". */\nimport { z } from 'zod';\n`;
    expect(importSpecifiers(source)).toEqual(['zod']);
  });

  it('names packages and skips built-ins and paths', () => {
    expect(packageName('@grpc/grpc-js/build/src')).toBe('@grpc/grpc-js');
    expect(packageName('node:fs')).toBeUndefined();
    expect(packageName('./x.js')).toBeUndefined();
    expect(importSpecifiers('export const a = 1;\n')).toEqual([]);
  });
});
