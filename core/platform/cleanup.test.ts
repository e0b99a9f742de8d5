import { describe, expect, it } from 'vitest';
import { unrecordedRuns } from './cleanup.js';

describe('unrecordedRuns', () => {
  const found = ['a', 'b', 'c', 'b'];
  const recorded = new Set(['a']);

  it("leaves another home's runs alone under --all, and reports them", () => {
    expect(unrecordedRuns(found, recorded, { all: true })).toEqual({ remove: [], leave: ['b', 'c'] });
  });

  it('removes an unrecorded run only when --run names it', () => {
    expect(unrecordedRuns(found, recorded, { runId: 'c' })).toEqual({ remove: ['c'], leave: [] });
    expect(unrecordedRuns(found, recorded, { runId: 'a' })).toEqual({ remove: [], leave: [] });
  });

  it('says nothing of them on a plain down', () => {
    expect(unrecordedRuns(found, recorded, {})).toEqual({ remove: [], leave: [] });
  });
});
