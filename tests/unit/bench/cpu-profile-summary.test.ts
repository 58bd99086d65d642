import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mainThreadProfile, summarizeProfile } from '../../../services/bench/src/cpu-profile-summary.js';

const frame = (functionName: string, url = 'file:///app/services/detector/src/x.ts') => ({
  functionName,
  url,
  lineNumber: 0,
});

/** Root → start-up work, then root → the pipeline's decodeRecord → applySide; 1 ms a sample. */
function profileFile(): string {
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 5] },
      { id: 2, callFrame: frame('compileSourceTextModule', 'node:internal/modules/esm/utils') },
      { id: 3, callFrame: frame('decodeRecord'), children: [4] },
      { id: 4, callFrame: frame('applySide') },
      { id: 5, callFrame: frame('(idle)', '') },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 2, 2, 3, 4, 4, 2, 5, 4, 4],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'fg-profile-')), 'CPU.20261126.091313.7028.0.001.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

describe('summarizeProfile', () => {
  it('counts from the first sample inside `from`, so start-up is not charged to the pipeline', () => {
    const all = summarizeProfile(profileFile());
    expect(all).toMatchObject({ busyMs: 9, skippedMs: 0 });
    const steady = summarizeProfile(profileFile(), 25, 'decodeRecord');
    // Three start-up samples skipped; the later compile sample (a lazy import) still counts.
    expect(steady).toMatchObject({ busyMs: 6, skippedMs: 3, totalMs: 7 });
    expect(steady.byFunction.map((f) => f.name.split(' ')[0])).toEqual([
      'applySide',
      'decodeRecord',
      'compileSourceTextModule',
    ]);
    // A start function no sample is in (renamed, never ran) is an error, not an idle process.
    expect(() => summarizeProfile(profileFile(), 25, 'decodeRecords')).toThrow(/decodeRecords/);
  });

  it('picks the main thread among the profiles node wrote', () => {
    expect(
      mainThreadProfile([
        'CPU.20261126.091338.7147.1.002.cpuprofile',
        'CPU.20261126.091338.7147.0.001.cpuprofile',
      ]),
    ).toBe('CPU.20261126.091338.7147.0.001.cpuprofile');
  });
});
