import { describe, expect, it } from 'vitest';
import { planRootfs } from './rootfs-plan.js';

const ldd: Record<string, string> = {
  '/usr/bin/node': [
    '\tlinux-vdso.so.1 (0x00007ffd)',
    '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f77d4200000)',
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f77d3f3e000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f77d44e2000)',
  ].join('\n'),
  '/usr/bin/etcd': [
    '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f19240e4000)',
    '\t/lib64/ld-linux-x86-64.so.2 (0x00007f19242d9000)',
  ].join('\n'),
  '/x/toxiproxy-server': '\tnot a dynamic executable',
};
const lddOf = (path: string) => ldd[path] ?? '';

describe('planRootfs', () => {
  it('puts the binary where the public image has it and its libraries where the loader looks', () => {
    const plan = planRootfs([{ hostPath: '/usr/bin/node', imagePath: '/usr/local/bin/node' }], lddOf, [
      { kind: 'dir', imagePath: '/tmp', mode: 0o1777 },
    ]);
    expect(plan.map((e) => e.imagePath)).toEqual([
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib64/ld-linux-x86-64.so.2',
      '/tmp',
      '/usr/local/bin/node',
    ]);
    expect(plan.find((e) => e.imagePath === '/usr/local/bin/node')).toMatchObject({
      hostPath: '/usr/bin/node',
      executable: true,
    });
  });

  it('lists a library shared by two binaries once', () => {
    const plan = planRootfs(
      [
        { hostPath: '/usr/bin/node', imagePath: '/usr/local/bin/node' },
        { hostPath: '/usr/bin/etcd', imagePath: '/usr/local/bin/etcd' },
      ],
      lddOf,
    );
    expect(plan.filter((e) => e.imagePath.endsWith('libc.so.6'))).toHaveLength(1);
  });

  it('needs only the binary itself when it is static', () => {
    const plan = planRootfs([{ hostPath: '/x/toxiproxy-server', imagePath: '/toxiproxy' }], lddOf);
    expect(plan).toEqual([
      { kind: 'file', imagePath: '/toxiproxy', hostPath: '/x/toxiproxy-server', executable: true },
    ]);
  });

  it('refuses two different files for one path and relative image paths', () => {
    expect(() =>
      planRootfs([{ hostPath: '/x/toxiproxy-server', imagePath: '/toxiproxy' }], lddOf, [
        { kind: 'text', imagePath: '/toxiproxy', text: 'x' },
      ]),
    ).toThrow('two different files for /toxiproxy in one image');
    expect(() => planRootfs([{ hostPath: '/usr/bin/etcd', imagePath: 'etcd' }], lddOf)).toThrow(
      'image path must be absolute: etcd',
    );
  });
});
