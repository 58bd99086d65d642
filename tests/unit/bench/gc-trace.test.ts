// chunk-gc.ts reads V8's --trace-gc-nvp lines of a run: the figures per event come from the
// collections between the run's start marker and its result line; the set-up's and the clean-up's do
// not count.
import { describe, expect, it } from 'vitest';
import { gcFiguresOf } from '../../../services/bench/src/gc-trace.js';

const scavenge = (pause: number, survived: number, promoted: number) =>
  `[1:0x1]  5613 ms: pause=${pause} mutator=98.4 gc=s reduce_memory=0 scavenge=16.29 ` +
  `allocated=33874352 promoted=${promoted} new_space_survived=${survived} promotion_ratio=8.5%`;
const markCompact = (pause: number) => `[1:0x1]  9000 ms: pause=${pause} mutator=12.0 gc=mc reduce_memory=0`;

describe('gc figures of a chunk-gc run', () => {
  it('sums the collections between the start and the result, per event', () => {
    const output = [
      scavenge(700, 80_000_000, 70_000_000),
      markCompact(300),
      'chunk-gc-start',
      scavenge(20, 4_000_000, 3_000_000),
      'some other line',
      scavenge(10, 2_000_000, 1_000_000),
      markCompact(30),
      `chunk-gc-result ${JSON.stringify({ events: 1_000, cpuMicrosPerEvent: 61.5 })}`,
      scavenge(500, 90_000_000, 90_000_000),
      markCompact(400),
    ].join('\n');
    expect(gcFiguresOf(output)).toEqual({
      cpuMicros: 61.5,
      scavenges: 2,
      scavengePauseMicros: 30,
      survivedBytes: 6_000,
      promotedBytes: 4_000,
      fullCollectionPauseMicros: 30,
    });
  });

  it('fails with the end of the output when the run printed no result', () => {
    expect(() => gcFiguresOf(`chunk-gc-start\n${scavenge(1, 1, 1)}\nError: connect ECONNREFUSED`)).toThrow(
      /ECONNREFUSED/,
    );
  });
});
