import type { RunResult } from '../run-result.js';
import { detectionText, escapeXml, recoveryText, sloCi, sloObjective, sloValue } from './format.js';

/**
 * junit.xml for CI test reporters: one testcase per SLO, one per fault when there are faults, and one that
 * the run completed.
 *
 * - pass: an empty testcase.
 * - fail: a <failure> with the evidence (observed, CI, threshold, n, the reason).
 * - inconclusive: a <skipped> whose message starts with "inconclusive:". Skipped, not error: it is not a
 *   defect in the system under test, nor in the test, but "could not tell", which is what reporters show
 *   for skipped. The run's exit code, not this file, is the gate: gauntlet exits non-zero on inconclusive
 *   unless told otherwise.
 * - an aborted run: an <error> on the "run completed" testcase.
 */
export function renderJunit(run: RunResult): string {
  const suites: string[] = [];
  const durationS = Math.max(0, (Date.parse(run.endedAt) - Date.parse(run.startedAt)) / 1000);

  const sloCases = run.slos.map((slo) => {
    const name = `${slo.id}: ${sloObjective(slo)}`;
    const evidence = [
      `objective: ${sloObjective(slo)}`,
      `observed: ${sloValue(slo.observed, slo.unit)}`,
      `95% CI: ${sloCi(slo)}`,
      `samples: ${slo.samples}`,
      `reason: ${slo.reason}`,
    ].join('\n');
    return testcase('gauntlet.slo', name, slo.verdict, slo.reason, evidence);
  });
  suites.push(suite('gauntlet.slos', sloCases, durationS, run));

  if (run.faults && run.faults.length > 0) {
    const faultCases = run.faults.map((fault) => {
      const evidence = [
        `action: ${fault.action} on ${fault.targets.join(', ')}`,
        `injected at: ${fault.injectedAt} (${fault.injectedAtS} s)`,
        `detected after: ${detectionText(fault)}`,
        `recovered after: ${recoveryText(fault)}`,
        `failed requests: ${fault.failedRequests}`,
        ...fault.windows.flatMap((w) =>
          (w.slos ?? []).map((s) => `${w.name} (${w.fromS}-${w.toS} s) ${s.id}: ${s.verdict} (${s.reason})`),
        ),
      ].join('\n');
      const name = `${fault.id}: ${fault.action} ${fault.targets.join(', ')}`;
      // One testcase per expectation when the experiment had any, so CI shows which limit broke.
      if (fault.expectations && fault.expectations.length > 0) {
        return fault.expectations
          .map((e) => testcase('gauntlet.fault', `${name}: ${e.name}`, e.verdict, e.detail, evidence))
          .join('\n');
      }
      return testcase('gauntlet.fault', name, fault.verdict, fault.reason ?? fault.verdict, evidence);
    });
    suites.push(suite('gauntlet.faults', faultCases, durationS, run));
  }

  const complete = run.complete
    ? '    <testcase classname="gauntlet.run" name="run completed" time="0"/>'
    : `    <testcase classname="gauntlet.run" name="run completed" time="0">\n      <error type="incomplete" message="${escapeXml('the run was aborted; results cover what was measured until then')}"/>\n    </testcase>`;
  suites.push(suite('gauntlet.run', [complete], durationS, run));

  const all = suites.join('\n');
  const count = (re: RegExp) => (all.match(re) ?? []).length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`gauntlet ${run.runId}`)}" tests="${count(/<testcase /g)}" failures="${count(/<failure /g)}" errors="${count(/<error /g)}" skipped="${count(/<skipped /g)}" time="${durationS.toFixed(3)}">`,
    all,
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(
  classname: string,
  name: string,
  verdict: 'pass' | 'fail' | 'inconclusive' | 'not_applicable',
  message: string,
  evidence: string,
): string {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}" time="0"`;
  if (verdict === 'pass') return `${open}/>`;
  const body =
    verdict === 'fail'
      ? `      <failure type="fail" message="${escapeXml(message)}">${escapeXml(evidence)}</failure>`
      : `      <skipped message="${escapeXml(`${verdict === 'not_applicable' ? 'not applicable' : 'inconclusive'}: ${message}`)}"/>\n      <system-out>${escapeXml(evidence)}</system-out>`;
  return `${open}>\n${body}\n    </testcase>`;
}

function suite(name: string, cases: string[], durationS: number, run: RunResult): string {
  const joined = cases.join('\n');
  const n = (re: RegExp) => (joined.match(re) ?? []).length;
  const properties = [
    ['runId', run.runId],
    ['verdict', run.verdict],
    ['complete', String(run.complete)],
    ['target', run.target.kind === 'url' ? run.target.url : run.target.platform],
    ['gitCommit', run.gitCommit ?? ''],
  ]
    .map(([k, v]) => `      <property name="${escapeXml(k ?? '')}" value="${escapeXml(v ?? '')}"/>`)
    .join('\n');
  return [
    `  <testsuite name="${escapeXml(name)}" tests="${n(/<testcase /g)}" failures="${n(/<failure /g)}" errors="${n(/<error /g)}" skipped="${n(/<skipped /g)}" time="${durationS.toFixed(3)}" timestamp="${escapeXml(run.startedAt)}">`,
    '    <properties>',
    properties,
    '    </properties>',
    joined,
    '  </testsuite>',
  ].join('\n');
}
