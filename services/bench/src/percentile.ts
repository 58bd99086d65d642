/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Median (the mean of the two middle values of an even count) and range of a list. */
export function spread(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return {
    median: !sorted.length
      ? NaN
      : sorted.length % 2
        ? sorted[middle]!
        : (sorted[middle - 1]! + sorted[middle]!) / 2,
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}
