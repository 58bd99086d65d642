import { describe, expect, it } from 'vitest';
import { pairedRatios, summarize, type RunRecord } from '../../../services/bench/src/bench-report.js';

const run = (eventsPerSec: number, flagged: string | null): RunRecord => ({
  consumer: 'new',
  repeat: 1,
  measuredEvents: 100_000,
  eventsPerSec,
  consumerMicrosPerEvent: 1_000_000 / eventsPerSec,
  redisMicrosPerEvent: 10,
  kafkaMicrosPerEvent: 5,
  deadLettered: 0,
  alerts: 0,
  eventsPerTransaction: 500,
  stateConflicts: 0,
  chunkRetries: 0,
  cacheHitShare: 0.9,
  load1AtStart: 0.5,
  otherCores: flagged ? 1 : 0,
  flagged,
});

describe('summarize', () => {
  it('leaves runs taken while something else was busy out of the median and the range', () => {
    const s = summarize([run(10_000, null), run(1_000, 'busy'), run(12_000, null), run(11_000, null)]).new!;
    expect(s.eventsPerSec).toEqual({ median: 11_000, min: 10_000, max: 12_000 });
    expect(s).toMatchObject({ runs: 4, counted: 3 });
  });

  it('falls back to every run when all were flagged, and says none counted', () => {
    const s = summarize([run(3_000, 'busy'), run(1_000, 'busy'), run(2_000, 'busy')]).new!;
    expect(s.eventsPerSec.median).toBe(2_000);
    expect(s.counted).toBe(0);
  });

  it('takes the mean of the two middle runs when an even number counts', () => {
    const s = summarize([run(4_000, null), run(1_000, 'busy'), run(6_000, null)]).new!;
    expect(s.eventsPerSec.median).toBe(5_000);
  });
});

describe('pairedRatios', () => {
  const at = (
    consumer: 'before' | 'new',
    repeat: number,
    eventsPerSec: number,
    flagged: string | null = null,
  ) => ({
    ...run(eventsPerSec, flagged),
    consumer,
    repeat,
  });

  it('divides NEW by BEFORE within each pair, so a machine slowing down over the bench cancels', () => {
    // The box slows by half over three repeats; NEW is 10% faster in every pair.
    const runs = [at('before', 1, 10_000), at('new', 1, 11_000), at('before', 2, 7_500), at('new', 2, 8_250)];
    runs.push(at('before', 3, 5_000), at('new', 3, 5_500));
    const p = pairedRatios(runs)!;
    expect(p.pairs).toBe(3);
    expect(p.eventsPerSec.median).toBeCloseTo(1.1, 10);
    expect(p.eventsPerSec.max - p.eventsPerSec.min).toBeCloseTo(0, 10);
    // Side by side alone, the two ranges overlap and could not tell the two apart.
    const s = summarize(runs);
    expect(s.new!.eventsPerSec.min).toBeLessThan(s.before!.eventsPerSec.max);
  });

  it('leaves out a pair with a flagged run, and answers null when none is left', () => {
    const runs = [
      at('before', 1, 10_000, 'busy'),
      at('new', 1, 11_000),
      at('before', 2, 9_000),
      at('new', 2, 9_900),
    ];
    expect(pairedRatios(runs)!.pairs).toBe(1);
    expect(pairedRatios(runs.slice(0, 2))).toBeNull();
  });
});
