import { describe, expect, it } from 'vitest';
import { CommitTimeline } from '../../../services/bench/src/commit-latency.js';

describe('CommitTimeline', () => {
  it('dates each offset by the first reading that shows its partition committed past it', () => {
    const timeline = new CommitTimeline(2);
    timeline.record(100, [0, 0]);
    timeline.record(120, [3, 0]); // offsets 0..2 of partition 0 committed
    timeline.record(140, [3, 5]);
    timeline.record(160, [10, 5]);
    expect(timeline.committedAt(0, 0)).toBe(120);
    expect(timeline.committedAt(0, 2)).toBe(120);
    expect(timeline.committedAt(0, 3)).toBe(160);
    expect(timeline.committedAt(1, 4)).toBe(140);
  });

  it('never dates an offset no reading showed committed: it counts as infinitely late', () => {
    const timeline = new CommitTimeline(1);
    timeline.record(100, [2]);
    expect(timeline.committedAt(0, 2)).toBe(Infinity);
  });
});
