// The broker restarts under a running detector (stack.sh kafka-restart: SIGTERM, start on the same
// data): the detector rides it out without a restart of its own, and a read_committed reader sees
// exactly the alerts of an uninterrupted run, once each.
import { describe, expect, it } from 'vitest';
import { compareAlerts, faultBacklog, faultSuite } from '../support/fault-run.js';
import { onLocalStack, restartStackKafka } from '../support/stack-restart.js';

const PARTITIONS = 1;
// The small backlog (~12,000 events; the day sets the exact count) fits in one default chunk (a 4 MiB fetch): in chunks of 1,000 the
// fault strikes mid-stream, with most of the backlog still ahead, as it would on a live stream.
const MID_STREAM = { BATCH_CHUNK_SIZE: '1000' };

describe.skipIf(!onLocalStack())('the broker restarted mid-stream', () => {
  const backlog = faultBacklog('small');
  const suite = faultSuite('broker-restart', backlog.events, { partitions: PARTITIONS, env: MID_STREAM });

  it('the detector rides out the restart; the same alerts, each once', async () => {
    const run = await suite.start({ partitions: PARTITIONS, env: MID_STREAM });
    const started = Date.now();
    const detector = run.start();
    await run.until((c) => Number(c.get(0) ?? 0n) >= run.total * 0.3);
    const downAt = await run.committedCount();
    // The fault strikes mid-stream, or this test tests nothing.
    expect(downAt).toBeLessThan(run.total * 0.8);
    const restartStarted = Date.now();
    await restartStackKafka('term');
    const brokerBackAt = Date.now();
    const recoveredAt = await run.until(
      (c) => Number(c.get(0) ?? 0n) > downAt || (c.get(0) ?? 0n) >= run.ends.get(0)!,
      120_000,
    );
    await run.caughtUp(120_000);
    const totalMs = Date.now() - started;
    const alerts = await run.alerts();
    const result = compareAlerts(suite.reference, alerts);
    suite.measured.push({
      fault: `broker SIGTERM + start (${((brokerBackAt - restartStarted) / 1000).toFixed(1)} s away)`,
      events: downAt,
      alerts: alerts.length,
      duplicates: result.duplicates,
      lost: result.lost.length,
      recoverMs: recoveredAt - brokerBackAt,
      totalMs,
    });
    expect(detector.alive()).toBe(true);
    await detector.signal('SIGTERM');
    await suite.finish();
    expect(result).toEqual({ duplicates: 0, lost: [], extra: [] });
  });
});
