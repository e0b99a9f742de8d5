import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { command } from './command.js';

const label = 'dev.gauntlet.kind.baked';
const STEP_TIMEOUT_MS = 5 * 60_000;
const CONTAINERD_START_MS = 30_000;

/**
 * The node image with the stack image already in its containerd (`gauntlet/kind-node-stack:<hash>`),
 * made once per pair of images and then reused: `kind load docker-image` copies and unpacks the image
 * into every node on every bring-up, which on a 2-core host took 30-50 s of a ~90 s bring-up and
 * delayed CoreDNS while it ran. Imported unpacked-on-demand (`--no-unpack`) and pinned, as the node
 * image's own component images are (tools/kind/node-image.sh, step 4).
 */
export async function nodeImageWith(
  nodeImage: string,
  stackImage: string,
  log: (line: string) => void,
): Promise<string> {
  const docker = (args: string[], timeoutMs = STEP_TIMEOUT_MS) => command('docker', args, { timeoutMs });
  const ids = await docker(['image', 'inspect', '-f', '{{.Id}}', nodeImage, stackImage]);
  const hash = createHash('sha256').update(ids).digest('hex').slice(0, 16);
  const tag = `gauntlet/kind-node-stack:${hash}`;
  const existing = await docker([
    'image',
    'inspect',
    '-f',
    `{{ index .Config.Labels "${label}" }}`,
    tag,
  ]).catch(() => '');
  if (existing.trim() === hash) return tag;

  const started = Date.now();
  const box = `gauntlet-kind-bake-${hash}`;
  await docker(['rm', '-f', box]).catch(() => '');
  try {
    await docker([
      'run',
      '-d',
      '--privileged',
      '--security-opt',
      'seccomp=unconfined',
      '--entrypoint=sleep',
      '--name',
      box,
      nodeImage,
      'infinity',
    ]);
    await docker(['exec', box, 'sh', '-c', 'containerd >/dev/null 2>&1 & echo $! >/run/bake-containerd.pid']);
    // containerd answers within a second or two; a bounded retry of its own client is the wait
    const deadline = Date.now() + CONTAINERD_START_MS;
    while (
      !(await docker(['exec', box, 'ctr', 'version']).then(
        () => true,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new Error(`containerd did not start in ${box}`);
      await sleep(200);
    }
    await command(
      'sh',
      [
        '-c',
        `docker save "$1" | docker exec -i "$2" ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --no-unpack --digests -`,
        'bake',
        stackImage,
        box,
      ],
      { timeoutMs: STEP_TIMEOUT_MS },
    );
    // `sleep` is PID 1 and reaps nothing: containerd's exit shows as a zombie, not as a vanished pid
    await docker([
      'exec',
      box,
      'sh',
      '-c',
      `p=$(cat /run/bake-containerd.pid); kill "$p"
       for i in $(seq 1 300); do
         if [ ! -e "/proc/$p" ] || grep -q "^State:.*Z" "/proc/$p/status" 2>/dev/null; then exit 0; fi; sleep 0.1
       done; exit 1`,
    ]);
    await docker(['exec', box, 'rm', '-rf', '/run/bake-containerd.pid', '/run/containerd']);
    await docker([
      'commit',
      '--change',
      'ENTRYPOINT [ "/usr/local/bin/entrypoint", "/sbin/init" ]',
      '--change',
      'CMD []',
      '--change',
      `LABEL ${label}=${hash}`,
      box,
      tag,
    ]);
    log(
      `kind node image with ${stackImage} baked in: ${tag} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    return tag;
  } finally {
    await docker(['rm', '-f', box]).catch(() => '');
  }
}
