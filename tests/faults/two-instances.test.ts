// Two detector processes share six input partitions; one is stopped midway — SIGTERM (finishes and
// commits its chunk, leaves the group) or SIGKILL (its partitions move when its session expires). The
// survivor takes its partitions over, and a read_committed reader sees the alerts one instance alone
// raises on the same backlog, once each (wallets in a replacement relation: the same wallets at the
// same severity, see compareAlertsAcrossPartitions).
import { describe, expect, it } from 'vitest';
import type { DetectorProcess } from '../support/detector-process.js';
import { compareAlertsAcrossPartitions, faultBacklog, faultSuite } from '../support/fault-run.js';
import { waitFor } from '../support/test-detector.js';

const PARTITIONS = 6;

/** The input partitions the process's latest group generation gave it. */
function assignedInput(detector: DetectorProcess, inputTopic: string): number[] {
  const joins = detector
    .output()
    .split('\n')
    .filter((line) => line.includes('joined the consumer group'));
  const last = joins.at(-1);
  if (!last) return [];
  const { assignment } = JSON.parse(last) as { assignment: Record<string, number[]> };
  return assignment[inputTopic] ?? [];
}

describe('two detector instances, one stopped midway', () => {
  const backlog = faultBacklog('large');
  const options = { partitions: PARTITIONS };
  const suite = faultSuite('two-instances', backlog.events, {
    ...options,
    fault: 'one instance (reference)',
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    '%s to one of two: the alerts of one instance, each once',
    async (signal) => {
      // The backlog comes once both have joined: a member that joins late finds it half done.
      const run = await suite.start({ ...options, produceLater: true });
      const input = run.config.kafka.inputTopic;
      const started = Date.now();
      const survivor = run.start();
      const stopped = run.start();
      // Both in the same generation, sharing the six input partitions, before one goes.
      await waitFor(() => {
        const a = assignedInput(survivor, input);
        const b = assignedInput(stopped, input);
        return (
          a.length > 0 &&
          b.length > 0 &&
          new Set([...a, ...b]).size === PARTITIONS &&
          a.length + b.length === PARTITIONS
        );
      }, 60_000);
      const theirs = assignedInput(stopped, input);
      await run.produce();
      // Stopped as soon as it has committed on one of its partitions: with the rest of its share still
      // ahead, the survivor must take the partitions over.
      await run.until((c) => theirs.some((p) => (c.get(p) ?? 0n) > 0n));
      const stopAt = await run.committedCount();
      expect(stopAt).toBeLessThan(run.total);
      const stoppedAt = Date.now();
      const code = await stopped.signal(signal);
      if (signal === 'SIGTERM') expect(code).toBe(0);
      // Taken over: the survivor owns the stopped one's partitions and commits on them.
      const before = await run.committed();
      const recoveredAt = await run.until((c) =>
        theirs.every((p) => (c.get(p) ?? 0n) > (before.get(p) ?? 0n) || (c.get(p) ?? 0n) >= run.ends.get(p)!),
      );
      await run.caughtUp();
      const totalMs = Date.now() - started;
      const alerts = await run.alerts();
      const result = compareAlertsAcrossPartitions(suite.reference, alerts);
      suite.measured.push({
        fault: `${signal} to one of two (it had partitions ${theirs.join(',')})`,
        events: stopAt,
        alerts: alerts.length,
        duplicates: result.duplicates,
        lost: result.lost.length,
        recoverMs: recoveredAt - stoppedAt,
        totalMs,
      });
      await waitFor(() => assignedInput(survivor, input).length === PARTITIONS, 60_000);
      expect(assignedInput(survivor, input)).toEqual([0, 1, 2, 3, 4, 5]);
      await survivor.signal('SIGTERM');
      await suite.finish();
      expect(result).toEqual({ duplicates: 0, lost: [], extra: [] });
    },
  );
});
