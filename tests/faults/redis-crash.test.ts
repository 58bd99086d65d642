// The detector's Redis dies mid-campaign and comes back on its append-only file: the detector waits,
// retries, goes on, and a read_committed reader sees exactly the alerts of an uninterrupted run — no
// campaign wallet alerted a second time. Once as SHUTDOWN NOSAVE (the AOF is flushed on the way
// down), once as SIGKILL (the last second of writes is lost and replayed from Kafka).
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../schemas/alert.js';
import { requireEndpoint } from '../support/clients.js';
import { alertSignature, compareAlerts, faultBacklog, faultSuite } from '../support/fault-run.js';
import { crashRedisNode } from '../support/redis-restart.js';

const PARTITIONS = 1;
// The small backlog (~12,000 events; the day sets the exact count) fits in one default chunk (a 4 MiB fetch): in chunks of 1,000 the
// fault strikes mid-stream, with most of the backlog still ahead, as it would on a live stream.
const MID_STREAM = { BATCH_CHUNK_SIZE: '1000' };
const DOWN_MS = 3_000;

describe('Redis crashed mid-campaign and restarted', () => {
  const backlog = faultBacklog('small');
  const campaign = backlog.labels.find((l) => l.typology === 'crowdfunding')!;
  // With one input partition a record's offset is its place in the backlog.
  const midCampaign = backlog.events.findIndex(
    (e) => e.eventId === campaign.eventIds[campaign.eventIds.length >> 1],
  );
  // What the state counted for every labelled wallet: a write Redis lost and nobody re-applied shows here.
  const labelled = [...new Set(backlog.labels.map((l) => l.walletId))];
  const suite = faultSuite('redis-crash', backlog.events, {
    partitions: PARTITIONS,
    countsOf: labelled,
    env: MID_STREAM,
  });

  it.each(['shutdown', 'kill'] as const)(
    '%s: the same alerts, each once, no wallet alerted twice',
    async (how) => {
      expect(suite.reference.some((a) => a.walletId === campaign.walletId)).toBe(true);
      const run = await suite.start({ partitions: PARTITIONS, env: MID_STREAM });
      const started = Date.now();
      const detector = run.start();
      await run.until((c) => (c.get(0) ?? 0n) >= BigInt(midCampaign));
      const url = new URL(requireEndpoint('redisUrl'));
      const crashed = await crashRedisNode({ host: url.hostname, port: Number(url.port) }, how);
      await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
      const downAt = await run.committedCount();
      // The fault strikes mid-stream, or this test tests nothing.
      expect(downAt).toBeLessThan(run.total * 0.8);
      const restartedAt = Date.now();
      await crashed.restart();
      const answeredAt = Date.now();
      const recoveredAt = await run.until(
        (c) => Number(c.get(0) ?? 0n) > downAt || (c.get(0) ?? 0n) >= run.ends.get(0)!,
      );
      await run.caughtUp();
      const totalMs = Date.now() - started;
      const alerts = await run.alerts();
      const result = compareAlerts(suite.reference, alerts);
      const counts = await run.counts(labelled);
      suite.measured.push({
        fault: `Redis ${how === 'kill' ? 'SIGKILL' : 'SHUTDOWN NOSAVE'}, down ${DOWN_MS / 1000} s`,
        events: downAt,
        alerts: alerts.length,
        duplicates: result.duplicates,
        lost: result.lost.length,
        recoverMs: recoveredAt - restartedAt,
        totalMs,
      });
      if (recoveredAt - restartedAt > 5_000) {
        // Slower than the retry backoff explains: keep what the detector said meanwhile for whoever looks.
        const said = detector
          .output()
          .split('\n')
          .filter(
            (line) =>
              /"level":(40|50)/.test(line) ||
              /rebalanc|join|fenced|refused|replay|redis connection ready|went through after/i.test(line),
          );
        console.log(
          `redis-crash (${how}): recovered after ${recoveredAt - restartedAt} ms (restart began at ${restartedAt}, Redis answered PING at ${answeredAt}, the group's committed offset moved at ${recoveredAt}, epoch ms); the detector's warnings:\n${said.slice(-40).join('\n')}`,
        );
      }
      expect(detector.output()).toMatch(/redis connection error|failed/i);
      await detector.signal('SIGTERM');
      await suite.finish();
      expect(result).toEqual({ duplicates: 0, lost: [], extra: [] });
      const perWallet = (list: Alert[]) =>
        list.filter((a) => a.walletId === campaign.walletId).map(alertSignature);
      expect(perWallet(alerts)).toEqual(perWallet(suite.reference));
      expect(counts).toEqual(suite.referenceCounts);
    },
  );
});
