// A pending seed names the wallets its search alerted, so that a chunk run again after a crash
// republishes their alerts without searching again. The list sits in the flagged wallet's record until
// the chunk commits: past RAISED_ON_MAX it is dropped (null), and a run again searches in full.
import { describe, expect, it } from 'vitest';
import {
  keptRaisedOn,
  RAISED_ON_MAX,
  raisedOnAfterSearch,
} from '../../../services/detector/src/pipeline/retro-search.js';

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `w-replacement-candidate-${String(i).padStart(8, '0')}`);

describe('the wallets a pending seed names', () => {
  it('keeps every alerted wallet up to the bound, as a copy', () => {
    const alerted = ids(RAISED_ON_MAX);
    const kept = keptRaisedOn(alerted);
    expect(kept).toEqual(alerted);
    alerted.push('w-later');
    expect(kept).toHaveLength(RAISED_ON_MAX);
  });

  it('keeps no list past the bound, so a hub of donors cannot swell the flagged wallet’s record', () => {
    expect(keptRaisedOn(ids(RAISED_ON_MAX + 1))).toBeNull();
  });

  it('stays unknown after a run again searched only the lost wallets, so the others are searched again at the next crash', () => {
    // 300 wallets alerted: no list kept. The run again after a lost compare-and-set judges only X;
    // a list [X] would say the other 299 hold no alert to publish again.
    expect(raisedOnAfterSearch(null, ['w-x'], false)).toBeNull();
    expect(raisedOnAfterSearch(null, ['w-x'], true)).toEqual(['w-x']);
    expect(raisedOnAfterSearch(['w-a'], ['w-x', 'w-a'], false)).toEqual(['w-a', 'w-x']);
    expect(raisedOnAfterSearch(ids(RAISED_ON_MAX), ['w-x'], false)).toBeNull();
  });
});
