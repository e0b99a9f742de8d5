// @ts-check
// actionlint, the GitHub Actions workflow checker, built from its pinned Go module into the shared cache
// (like toxiproxy) and linked into .tools/bin. The tests check examples/ci/github-actions.yml with it.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gauntletCacheDir } from './cache-dir.js';
import { shortPath } from './format.js';
import { onPath, runStep } from './run-step.js';

export const actionlintVersion = 'v1.7.12';
const module = 'github.com/rhysd/actionlint/cmd/actionlint';

/**
 * Builds actionlint once per version; returns where it is and whether this call built it.
 * @param {{ announce: (what: string) => void, progress: import('./progress.js').StartProgress }} options
 * @returns {Promise<{ path: string, built: boolean }>}
 */
export async function ensureActionlint(options) {
  const dir = gauntletCacheDir('actionlint', actionlintVersion);
  const binary = join(dir, 'actionlint');
  if (existsSync(binary)) return { path: binary, built: false };
  if (!onPath('go')) {
    throw new Error(
      'Go >= 1.25 is needed to build actionlint (apt-get install golang-go, or https://go.dev/dl)',
    );
  }
  options.announce(
    `building actionlint ${actionlintVersion} from its Go module, to check the example CI workflow (first time only, ~1 min; cached in ${shortPath(dir)})`,
  );
  // A staging GOBIN renamed into place: an interrupted build never looks cached.
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await runStep(
      `actionlint: building ${actionlintVersion}`,
      'go',
      ['install', `${module}@${actionlintVersion}`],
      {
        env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
        progress: options.progress,
        expected: 'usually about a minute',
      },
    );
    if (!existsSync(binary)) {
      rmSync(dir, { recursive: true, force: true });
      renameSync(staging, dir);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { path: binary, built: true };
}

/** The setup step. @param {import('./tools.js').StepOptions} options @returns {Promise<import('./tools.js').StepOutcome>} */
export async function actionlintStep(options) {
  const { path, built } = await ensureActionlint(options);
  return { status: built ? 'installed' : 'present', version: actionlintVersion, path };
}
