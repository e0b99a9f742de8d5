import { describe, expect, it } from 'vitest';
import { bareImports } from './bare-imports.js';

describe('bareImports', () => {
  it('keeps package names and drops relative paths and built-ins', () => {
    const source = [
      "import { Etcd3 } from 'etcd3';",
      "import { request } from 'undici';",
      "import { z } from 'zod/v4';",
      "import type { X } from '@scope/pkg/deep/file.js';",
      "import './side-effect.js';",
      "import { join } from 'node:path';",
      "import { a } from '../runtime/a.js';",
      "const lazy = await import('prom-client');",
    ].join('\n');
    expect(bareImports(source)).toEqual(['@scope/pkg', 'etcd3', 'prom-client', 'undici', 'zod']);
  });

  it('finds nothing in a module without imports', () => {
    expect(bareImports('export const a = 1;\n')).toEqual([]);
  });
});
