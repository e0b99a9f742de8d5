import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

type RootfsEntry =
  | { kind: 'file'; imagePath: string; hostPath: string; mode: number }
  | { kind: 'link'; imagePath: string; target: string }
  | { kind: 'dir'; imagePath: string; mode: number }
  | { kind: 'text'; imagePath: string; text: string; mode: number };
interface AgentRootfsInputs {
  agent: string;
  iptables: { binary: string; variant: 'nft' | 'legacy' };
  otherIptables: Array<{ binary: string; variant: 'nft' | 'legacy' }>;
  xtables: { dir: string; entries: Array<{ name: string; link?: string }> };
  shell: string;
  ip: string | undefined;
  etc: Array<{ imagePath: string; hostPath: string }>;
}
interface AgentModule {
  AGENT_PATH: string;
  AGENT_INPUTS_LABEL: string;
  parseLdd(binary: string, output: string): string[];
  parseAgentPins(text: string, file: string): { xk6Disruptor: string; image: string };
  planAgentRootfs(inputs: AgentRootfsInputs, lddOf: (hostPath: string) => string): RootfsEntry[];
  imageChanges(hash: string): string[];
  readAgentPins(root: string): Promise<{ image: string; pins: { xk6Disruptor: string } }>;
}

// A variable specifier: the module is plain JS (setup runs before the TypeScript build) without a .d.ts.
const here = fileURLToPath(new URL('.', import.meta.url));
const agent = (await import(join(here, 'disruptor-agent.js'))) as AgentModule;
const root = join(here, '..', '..');

const libc = '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2425301000)';
const loader = '\t/lib64/ld-linux-x86-64.so.2 (0x00007f2425519000)';
const ldd: Record<string, string> = {
  '/cache/xk6-disruptor-agent': '\tnot a dynamic executable\n',
  '/usr/bin/dash': `\tlinux-vdso.so.1 (0x00007f2425517000)\n${libc}\n${loader}\n`,
  '/usr/sbin/xtables-nft-multi': [
    '\tlinux-vdso.so.1 (0x00007fdb01886000)',
    '\tlibxtables.so.12 => /lib/x86_64-linux-gnu/libxtables.so.12 (0x00007fdb017bf000)',
    '\tlibnftnl.so.11 => /lib/x86_64-linux-gnu/libnftnl.so.11 (0x00007fdb01784000)',
    libc,
    loader,
  ].join('\n'),
  '/usr/lib/x86_64-linux-gnu/xtables/libxt_NAT.so': `\tlibxtables.so.12 => /lib/x86_64-linux-gnu/libxtables.so.12 (0x1)\n${libc}\n`,
};
const inputs: AgentRootfsInputs = {
  agent: '/cache/xk6-disruptor-agent',
  iptables: { binary: '/usr/sbin/xtables-nft-multi', variant: 'nft' },
  otherIptables: [],
  xtables: {
    dir: '/usr/lib/x86_64-linux-gnu/xtables',
    entries: [{ name: 'libxt_NAT.so' }, { name: 'libxt_REDIRECT.so', link: 'libxt_NAT.so' }],
  },
  shell: '/usr/bin/dash',
  ip: undefined,
  etc: [{ imagePath: '/etc/protocols', hostPath: '/etc/protocols' }],
};
const lddOf = (path: string) => {
  const out = ldd[path];
  if (out === undefined) throw new Error(`no ldd output for ${path} in the test`);
  return out;
};

describe('parseLdd', () => {
  it('lists the libraries and the loader, skips the vDSO, and none for a static binary', () => {
    expect(agent.parseLdd('/usr/bin/dash', ldd['/usr/bin/dash'] ?? '')).toEqual([
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
    expect(agent.parseLdd('/x', '\tnot a dynamic executable\n')).toEqual([]);
  });

  it('names a library ldd cannot find', () => {
    expect(() => agent.parseLdd('/usr/sbin/ip', '\tlibbpf.so.1 => not found\n')).toThrow(
      '/usr/sbin/ip needs libbpf.so.1',
    );
  });
});

describe('planAgentRootfs', () => {
  const plan = agent.planAgentRootfs(inputs, lddOf);
  const at = (path: string) => plan.find((entry) => entry.imagePath === path);

  it('puts the agent where the disruptor execs it and the shell at /bin/sh', () => {
    expect(at(agent.AGENT_PATH)).toEqual({
      kind: 'file',
      imagePath: '/usr/bin/xk6-disruptor-agent',
      hostPath: '/cache/xk6-disruptor-agent',
      mode: 0o755,
    });
    expect(at('/bin/sh')).toMatchObject({ kind: 'file', hostPath: '/usr/bin/dash', mode: 0o755 });
  });

  it('links every iptables name the agent calls to the multi-call binary, with its libraries', () => {
    for (const name of ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'iptables-nft']) {
      expect(at(`/usr/sbin/${name}`)).toEqual({
        kind: 'link',
        imagePath: `/usr/sbin/${name}`,
        target: 'xtables-nft-multi',
      });
    }
    expect(at('/usr/sbin/ip6tables-nft-restore')).toMatchObject({
      kind: 'link',
      target: 'xtables-nft-multi',
    });
    expect(at('/lib/x86_64-linux-gnu/libnftnl.so.11')).toMatchObject({ kind: 'file', mode: 0o644 });
    expect(at('/lib64/ld-linux-x86-64.so.2')).toMatchObject({ kind: 'file', mode: 0o755 });
  });

  it('copies the extension modules, keeping their links, and the libraries they need', () => {
    expect(at('/usr/lib/x86_64-linux-gnu/xtables/libxt_NAT.so')).toMatchObject({ kind: 'file' });
    expect(at('/usr/lib/x86_64-linux-gnu/xtables/libxt_REDIRECT.so')).toEqual({
      kind: 'link',
      imagePath: '/usr/lib/x86_64-linux-gnu/xtables/libxt_REDIRECT.so',
      target: 'libxt_NAT.so',
    });
    expect(at('/lib/x86_64-linux-gnu/libxtables.so.12')).toMatchObject({ kind: 'file' });
  });

  it('has /tmp, /run and a root user, is sorted, and lists each path once', () => {
    expect(at('/tmp')).toEqual({ kind: 'dir', imagePath: '/tmp', mode: 0o1777 });
    expect(at('/run')).toMatchObject({ kind: 'dir' });
    expect(at('/etc/passwd')).toMatchObject({ kind: 'text', text: 'root:x:0:0:root:/root:/bin/sh\n' });
    const paths = plan.map((entry) => entry.imagePath);
    expect(paths).toEqual([...paths].sort());
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('adds the other iptables variant under its own names only', () => {
    const both = agent.planAgentRootfs(
      { ...inputs, otherIptables: [{ binary: '/usr/sbin/xtables-legacy-multi', variant: 'legacy' }] },
      (path) => (path.endsWith('legacy-multi') ? `${libc}\n${loader}\n` : lddOf(path)),
    );
    const find = (path: string) => both.find((entry) => entry.imagePath === path);
    expect(find('/usr/sbin/iptables-legacy')).toMatchObject({ target: 'xtables-legacy-multi' });
    expect(find('/usr/sbin/iptables')).toMatchObject({ target: 'xtables-nft-multi' });
  });
});

describe('imageChanges', () => {
  it('keeps a shell as the default command, sets PATH for the agent, and labels the inputs', () => {
    const changes = agent.imageChanges('abc');
    expect(changes).toContain('CMD ["/bin/sh"]');
    expect(changes.some((c) => c.startsWith('ENV PATH=') && c.includes('/usr/sbin'))).toBe(true);
    expect(changes).toContain(`LABEL ${agent.AGENT_INPUTS_LABEL}=abc`);
  });
});

describe('pins', () => {
  it('tags the image with the xk6-disruptor version k6 is built with', async () => {
    const { image, pins } = await agent.readAgentPins(root);
    expect(image).toBe(`ghcr.io/grafana/xk6-disruptor-agent:${pins.xk6Disruptor}`);
  });

  it('refuses an image name with a tag and a version that is not one', () => {
    const base = {
      xk6Disruptor: 'v0.3.17',
      image: 'ghcr.io/grafana/xk6-disruptor-agent',
      goMinimum: '1.24',
      cacheEpoch: 1,
    };
    expect(agent.parseAgentPins(JSON.stringify(base), 'p').image).toBe(base.image);
    expect(() => agent.parseAgentPins(JSON.stringify({ ...base, image: `${base.image}:v1` }), 'p')).toThrow(
      'without a tag',
    );
    expect(() => agent.parseAgentPins(JSON.stringify({ ...base, xk6Disruptor: 'latest' }), 'p')).toThrow(
      'version',
    );
  });
});
