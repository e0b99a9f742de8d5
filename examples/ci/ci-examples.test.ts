import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exitCodes } from '../../core/exit-codes.js';
import { REPORT_FILES } from '../../reports/render/write-reports.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = join(here, '..', '..');

interface ActionlintModule {
  actionlintVersion: string;
  ensureActionlint(options: {
    announce: (what: string) => void;
    progress: (label: string) => { stop(): void };
  }): Promise<{ path: string; built: boolean }>;
}
// A variable specifier: setup's modules are plain JS (they run before the TypeScript build) without a .d.ts.
const setupModule = join(repoRoot, 'bin', 'setup', 'actionlint.js');
const { ensureActionlint } = (await import(setupModule)) as ActionlintModule;

const gateCommand = 'npx gauntlet gate --platform local --out out/gate';
const contract = `0 pass, 1 an SLO or expectation failed, 2 inconclusive (not enough
# evidence either way), 3 harness or config error, 130 interrupted`;

describe('examples/ci/github-actions.yml', () => {
  let actionlint = '';
  let scratch = '';
  beforeAll(async () => {
    // Built from its pinned Go module on first use (setup does it too), cached in ~/.cache/gauntlet.
    actionlint = (
      await ensureActionlint({
        announce: (what) => process.stderr.write(`actionlint: ${what}\n`),
        progress: () => ({ stop() {} }),
      })
    ).path;
    scratch = await mkdtemp(join(tmpdir(), 'gauntlet-actionlint-'));
  }, 600_000);
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  /** actionlint's findings, one a line; '' when the workflow is clean. shellcheck is off: not always installed. */
  async function lint(file: string): Promise<string> {
    try {
      await promisify(execFile)(actionlint, ['-no-color', '-shellcheck=', '-pyflakes=', file], {
        encoding: 'utf8',
      });
      return '';
    } catch (error) {
      const { code, stdout } = error as { code?: number; stdout?: string };
      if (code !== 1) throw error;
      return stdout ?? '';
    }
  }

  it('passes actionlint, and a broken copy does not', async () => {
    const file = join(here, 'github-actions.yml');
    expect(await lint(file)).toBe('');
    const broken = (await readFile(file, 'utf8'))
      .replace('if-no-files-found: warn', 'if-no-file-found: warn')
      .replace('github.run_id }}', 'github.runid }}');
    await writeFile(join(scratch, 'broken.yml'), broken);
    const findings = await lint(join(scratch, 'broken.yml'));
    expect(findings).toMatch(/property "runid" is not defined/);
    expect(findings).toMatch(
      /input "if-no-file-found" is not defined in action "actions\/upload-artifact@v4"/,
    );
  });

  it('runs the gate, publishes junit.xml, keeps the reports, states the exit-code contract', async () => {
    const text = await readFile(join(here, 'github-actions.yml'), 'utf8');
    const workflow = parse(text) as {
      jobs: { gate: { steps: Array<{ run?: string; uses?: string; with?: Record<string, unknown> }> } };
    };
    const steps = workflow.jobs.gate.steps;
    expect(steps.some((s) => s.run?.includes(gateCommand))).toBe(true);
    expect(steps.some((s) => s.run?.includes('node bin/setup.js'))).toBe(true);
    const junit = steps.find((s) => s.uses?.startsWith('EnricoMi/publish-unit-test-result-action@'));
    expect(junit?.with?.files).toBe(`out/gate/${REPORT_FILES.junit}`);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.path).toBe('out/gate/');
    expect(text).toContain(contract);
  });
});

describe('examples/ci/gitlab-ci.yml', () => {
  /** GitLab's job keywords (docs.gitlab.com/ci/yaml); anything else in a job is a typo GitLab rejects. */
  const jobKeywords = new Set([
    'after_script',
    'allow_failure',
    'artifacts',
    'before_script',
    'cache',
    'coverage',
    'dast_configuration',
    'dependencies',
    'environment',
    'extends',
    'hooks',
    'identity',
    'id_tokens',
    'image',
    'inherit',
    'interruptible',
    'manual_confirmation',
    'needs',
    'pages',
    'parallel',
    'release',
    'resource_group',
    'retry',
    'rules',
    'run',
    'script',
    'secrets',
    'services',
    'stage',
    'tags',
    'timeout',
    'trigger',
    'variables',
    'when',
  ]);

  interface GitlabJob {
    stage?: string;
    image?: string;
    script?: string[];
    allow_failure?: { exit_codes?: number[] };
    artifacts?: { when?: string; paths?: string[]; reports?: { junit?: string } };
    [keyword: string]: unknown;
  }

  function unknownKeywords(job: GitlabJob): string[] {
    return Object.keys(job).filter((k) => !jobKeywords.has(k));
  }

  it('parses as YAML with a gate job that publishes JUnit and keeps the reports', async () => {
    const text = await readFile(join(here, 'gitlab-ci.yml'), 'utf8');
    const config = parse(text) as { stages: string[]; 'gauntlet-gate': GitlabJob };
    const job = config['gauntlet-gate'];
    expect(config.stages).toContain(job.stage);
    expect(unknownKeywords(job)).toEqual([]);
    expect(job.script).toContain(gateCommand);
    expect(job.artifacts?.reports?.junit).toBe(`out/gate/${REPORT_FILES.junit}`);
    expect(job.artifacts?.when).toBe('always');
    expect(job.artifacts?.paths).toContain('out/gate/');
    // Only "inconclusive" may pass with a warning; a failed SLO or an error must block the pipeline.
    expect(job.allow_failure?.exit_codes).toEqual([exitCodes.inconclusive]);
    expect(text).toContain(contract);
    // The keyword check can fail: a misspelt keyword is reported.
    expect(unknownKeywords({ ...job, artefacts: {} })).toEqual(['artefacts']);
  });
});

describe('the exit-code contract the examples state', () => {
  it('is the CLI one', () => {
    expect(exitCodes).toEqual({ pass: 0, fail: 1, inconclusive: 2, error: 3, interrupted: 130 });
  });
});
