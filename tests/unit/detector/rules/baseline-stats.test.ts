import { describe, expect, it } from 'vitest';
import { baselineOf } from '../../../../services/detector/src/rules/baseline-stats.js';
import { DAY, history, HOUR, NOW } from '../../../support/rule-fixtures.js';

describe('baselineOf', () => {
  it('answers each (from, excluded-from) pair of one history on its own, and again the same', () => {
    // Hour i holds i % 5 donations, over the fourteen days before NOW's hour.
    const h = history((i) => i % 5);
    const endHour = Math.floor(NOW / HOUR) * HOUR;
    const week = baselineOf(h, endHour - 7 * DAY, endHour);
    const day = baselineOf(h, endHour - DAY, endHour);
    const dayButLastSix = baselineOf(h, endHour - DAY, endHour - 6 * HOUR);
    expect([week.hoursObserved, day.hoursObserved, dayButLastSix.hoursObserved]).toEqual([168, 24, 18]);
    expect(baselineOf(h, endHour - DAY, endHour)).toEqual(day);
    expect(baselineOf(h, endHour - 7 * DAY, endHour)).toEqual(week);
  });

  it('reads a new history afresh', () => {
    const endHour = Math.floor(NOW / HOUR) * HOUR;
    const quiet = baselineOf(
      history(() => 0),
      endHour - DAY,
      endHour,
    );
    const busy = baselineOf(
      history(() => 3),
      endHour - DAY,
      endHour,
    );
    expect([quiet.meanDonationsPerHour, busy.meanDonationsPerHour]).toEqual([0, 3]);
  });
});
