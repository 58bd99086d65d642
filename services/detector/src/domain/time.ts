// Time units and durations. Every duration in FlowGuard is integer milliseconds.

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const DURATION_UNITS: Record<string, number> = { s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** "90s", "5m", "6h", "7d" → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 5m, 6h or 7d`);
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

/** Start of the bucket of length `sizeMs` holding `ms` (floor, also for times before 1970). */
export function bucketIndex(ms: number, sizeMs: number): number {
  return Math.floor(ms / sizeMs);
}
