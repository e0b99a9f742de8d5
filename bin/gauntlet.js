#!/usr/bin/env node
// The CLI runs from the compiled dist/ tree; `npm install` (prepare) and `npm run setup` build it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('gauntlet: not built yet. Run `npm run setup` in the Gauntlet folder first.\n');
  process.exit(3);
}
const { main } = await import(pathToFileURL(entry).href);
const code = await main(process.argv.slice(2));
// Exit explicitly once stdout is flushed: pooled keep-alive sockets must not hold a finished command open.
process.stdout.write('', () => process.exit(code));
