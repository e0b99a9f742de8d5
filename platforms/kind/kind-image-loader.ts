import { command } from './command.js';

/**
 * Makes a local docker image available to a kind cluster's nodes on first use (`kind load docker-image`),
 * once per image and cluster: how a fault's tool image (the xk6-disruptor agent) reaches nodes that cannot
 * pull. The stack image is baked into the node image instead (node-image-with.ts): it is needed every time.
 */
export function kindImageLoader(kind: string, cluster: string): (image: string) => Promise<void> {
  const loaded = new Map<string, Promise<void>>();
  return (image) => {
    let load = loaded.get(image);
    if (!load) {
      load = (async () => {
        const present = await command('docker', ['image', 'inspect', '-f', '{{.Id}}', image], {
          timeoutMs: 30_000,
        }).then(
          () => true,
          () => false,
        );
        if (!present) {
          throw new Error(
            `the image ${image} is not on this machine; \`node bin/setup.js\` builds it (nothing is pulled here)`,
          );
        }
        await command(kind, ['load', 'docker-image', image, '--name', cluster], { timeoutMs: 300_000 });
      })();
      load.catch(() => loaded.delete(image));
      loaded.set(image, load);
    }
    return load;
  };
}
