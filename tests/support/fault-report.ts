// What a fault test measured, printed as a table row and kept in .stack/faults/<test>.json, so
// docs/faults.md is written from the numbers of an actual run.
import { mkdirSync, writeFileSync } from 'node:fs';

export interface FaultMeasurement {
  fault: string;
  /** Input records the group had committed when the fault struck (the whole backlog for a reference). */
  events: number;
  /** Input records whose effects were in Redis at the fault (past `events`: written, not committed). */
  applied?: number;
  /** Alerts the read_committed reader saw. */
  alerts: number;
  /** Alerts published more than once. */
  duplicates: number;
  /** Alerts of the uninterrupted run that never came. */
  lost: number;
  /** From the restart (or the end of the fault) until the group is back where it was (ms). */
  recoverMs: number | null;
  /** The run from the first start until the whole backlog was committed (ms). */
  totalMs: number;
}

export function faultReport(test: string, rows: FaultMeasurement[]): void {
  mkdirSync('.stack/faults', { recursive: true });
  writeFileSync(`.stack/faults/${test}.json`, JSON.stringify(rows, null, 2) + '\n');
  const lines = rows.map(
    (r) =>
      `| ${r.fault} | ${r.events} | ${r.applied ?? '–'} | ${r.alerts} | ${r.duplicates} | ${r.lost} | ${r.recoverMs === null ? '–' : (r.recoverMs / 1000).toFixed(1) + ' s'} | ${(r.totalMs / 1000).toFixed(1)} s |`,
  );
  console.log(
    [
      `${test}:`,
      '| fault | events | applied | alerts | duplicates | lost | time to recover | whole run |',
      '|---|--:|--:|--:|--:|--:|--:|--:|',
      ...lines,
    ].join('\n'),
  );
}
