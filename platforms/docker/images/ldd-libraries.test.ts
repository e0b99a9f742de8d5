import { describe, expect, it } from 'vitest';
import { parseLddOutput } from './ldd-libraries.js';

const nodeLdd = `	linux-vdso.so.1 (0x00007f77d44e0000)
	libdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f77d44ca000)
	libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f77d4200000)
	libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f77d3f3e000)
	/lib64/ld-linux-x86-64.so.2 (0x00007f77d44e2000)
`;

describe('parseLddOutput', () => {
  it('lists every library and the loader, without the vDSO', () => {
    expect(parseLddOutput('/usr/bin/node', nodeLdd).map((l) => l.imagePath)).toEqual([
      '/lib/x86_64-linux-gnu/libdl.so.2',
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('gives nothing for a static binary', () => {
    expect(parseLddOutput('/x/toxiproxy-server', '\tnot a dynamic executable\n')).toEqual([]);
    expect(parseLddOutput('/x/pause', '\tstatically linked\n')).toEqual([]);
  });

  it('names a library ldd cannot find', () => {
    expect(() => parseLddOutput('/usr/sbin/nginx', '\tlibpcre2-8.so.0 => not found\n')).toThrow(
      '/usr/sbin/nginx needs libpcre2-8.so.0, which ldd cannot find on this machine',
    );
  });
});
