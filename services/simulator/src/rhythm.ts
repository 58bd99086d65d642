// When people pay: a relative activity per local hour of day and per weekday, drawn by rejection;
// and the calendar days a span covers.
import type { Random } from './random.js';
import { DAY, HOUR } from './scenario-types.js';

export interface RhythmShape {
  /** 24 relative weights, one per local hour. */
  hourly: readonly number[];
  /** 7 relative weights, Sunday first (as Date.getUTCDay counts); all 1 when absent. */
  weekly?: readonly number[];
  /** Local time = UTC + this many hours. */
  utcOffsetHours?: number;
}

export interface CalendarDay {
  /** Midnight UTC of the day. */
  dayStartMs: number;
  from: number;
  to: number;
  /** Share of the day inside the span. */
  share: number;
}

export class Rhythm {
  /** The largest relative activity of any hour. */
  readonly max: number;

  constructor(
    private readonly rng: Random,
    private readonly shape: RhythmShape,
  ) {
    this.max = Math.max(...shape.hourly) * Math.max(...(shape.weekly ?? [1]));
  }

  /** Relative activity at an instant. */
  weightAt(ms: number): number {
    const local = new Date(ms + (this.shape.utcOffsetHours ?? 0) * HOUR);
    return this.shape.hourly[local.getUTCHours()]! * (this.shape.weekly?.[local.getUTCDay()] ?? 1);
  }

  /** A time in [fromMs, toMs) drawn with the rhythm. */
  time(fromMs: number, toMs: number): number {
    if (toMs - fromMs < 1) return Math.floor(fromMs);
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const ms = this.rng.uniform(fromMs, toMs);
      if (this.rng.next() * this.max < this.weightAt(ms)) return Math.floor(ms);
    }
    // A span that falls entirely in the quietest hours: take it as it comes.
    return Math.floor(this.rng.uniform(fromMs, toMs));
  }

  /** The day's weekly weight over the week's mean: scales a daily count (1 without a weekly rhythm). */
  dayFactor(dayStartMs: number): number {
    const weekly = this.shape.weekly;
    if (!weekly) return 1;
    const local = new Date(dayStartMs + DAY / 2 + (this.shape.utcOffsetHours ?? 0) * HOUR);
    return (weekly[local.getUTCDay()]! * weekly.length) / weekly.reduce((sum, w) => sum + w, 0);
  }
}

/** Calendar days (UTC) overlapping [startMs, endMs), clipped to it. */
export function calendarDays(startMs: number, endMs: number): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (let day = Math.floor(startMs / DAY) * DAY; day < endMs; day += DAY) {
    const from = Math.max(day, startMs);
    const to = Math.min(day + DAY, endMs);
    if (to > from) days.push({ dayStartMs: day, from, to, share: (to - from) / DAY });
  }
  return days;
}
