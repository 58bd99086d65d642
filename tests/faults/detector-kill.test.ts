// kill -9 of the detector process at five points of a 50,000-event backlog, restarted each time: a
// read_committed reader of the alerts topic sees exactly the alerts of an uninterrupted run, once each.
import { describe, expect, it } from 'vitest';
import { compareAlerts, faultBacklog, faultSuite, type FaultRun } from '../support/fault-run.js';

// One input partition: the order the events are applied in is then the same in every run, so any
// difference from the uninterrupted run is the crash's doing. (Across partitions a replacement wallet's
// rules depend on which partition ran ahead: docs/faults.md.)
const PARTITIONS = 1;

interface KillPoint {
  /** The share of the backlog the group has committed when the detector dies. */
  share: number;
  /**
   * Aimed at the window exactly-once is about (the next chunk written to Redis, its Kafka transaction
   * not committed yet), or wherever the process is then.
   */
  aim: 'written-not-committed' | 'anywhere';
  /**
   * Chunks of 1,000 records for a point the default chunk cannot reach: at ~14,000 events a chunk, the
   * 1 % point died after the first commit and the 95 % point after the last, with nothing to recover.
   */
  env: Record<string, string>;
}

const FINE_CHUNKS = { BATCH_CHUNK_SIZE: '1000' };
const ALL_POINTS: KillPoint[] = [
  { share: 0.01, aim: 'anywhere', env: FINE_CHUNKS },
  { share: 0.25, aim: 'written-not-committed', env: {} },
  { share: 0.5, aim: 'anywhere', env: {} },
  { share: 0.75, aim: 'written-not-committed', env: {} },
  { share: 0.95, aim: 'anywhere', env: FINE_CHUNKS },
];
/** KILL_POINTS=0.5 runs one (a share not listed above kills anywhere, in default chunks). */
const KILL_POINTS = process.env.KILL_POINTS
  ? process.env.KILL_POINTS.split(',')
      .map(Number)
      .map(
        (share) => ALL_POINTS.find((p) => p.share === share) ?? { share, aim: 'anywhere' as const, env: {} },
      )
  : ALL_POINTS;

/** Resolves once Redis holds a chunk the group has not committed (or after 10 s of trying). */
async function writtenNotCommitted(run: FaultRun): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [applied, committed] = await Promise.all([run.checkpoints(), run.committed()]);
    if ([...applied].some(([partition, checkpoint]) => checkpoint >= (committed.get(partition) ?? 0n)))
      return;
  }
}

describe('kill -9 of the detector', () => {
  const backlog = faultBacklog('large');
  const suite = faultSuite('detector-kill', backlog.events, { partitions: PARTITIONS });

  it('the uninterrupted run alerts the campaigns and a replacement wallet, each alert once', () => {
    expect(backlog.events.length).toBeGreaterThanOrEqual(50_000);
    const alerted = new Set(suite.reference.map((a) => a.walletId));
    const campaigns = backlog.labels.filter((l) => l.typology === 'crowdfunding');
    const replacements = backlog.labels.filter((l) => l.typology === 'replacement-wallet');
    expect(campaigns.filter((l) => alerted.has(l.walletId)).length).toBeGreaterThanOrEqual(3);
    expect(replacements.some((l) => alerted.has(l.walletId))).toBe(true);
    expect(new Set(suite.reference.map((a) => a.alertId)).size).toBe(suite.reference.length);
  });

  it.each(KILL_POINTS)(
    'killed at $share of the backlog ($aim) and restarted: the same alerts, each once',
    async ({ share, aim, env }) => {
      const run = await suite.start({ partitions: PARTITIONS, env });
      const started = Date.now();
      const first = run.start();
      const target = BigInt(Math.ceil(share * run.total));
      await run.until((c) => [...c.values()].reduce((sum, o) => sum + o, 0n) >= target);
      if (aim === 'written-not-committed') await writtenNotCommitted(run);
      await first.signal('SIGKILL');
      // Where the dead process got to: committed in Kafka, applied in Redis (possibly further).
      const killedAt = await run.committedCount();
      // It died with backlog left to recover, and in small chunks near the point aimed at.
      expect(killedAt).toBeLessThan(run.total);
      if (env.BATCH_CHUNK_SIZE) {
        expect(killedAt).toBeLessThanOrEqual(Number(target) + 2 * Number(env.BATCH_CHUNK_SIZE));
      }
      const committedAtKill = await run.committed();
      const applied = await run.checkpoints();

      const restartedAt = Date.now();
      const second = run.start();
      const recoveredAt = await run
        .until(
          (c) =>
            [...applied].every(([partition, checkpoint]) => {
              const now = c.get(partition) ?? 0n;
              const was = committedAtKill.get(partition) ?? 0n;
              // Past what the dead process had applied, by a commit of its own, or at the end.
              return (now > checkpoint && now > was) || now >= run.ends.get(partition)!;
            }),
          60_000,
        )
        .catch((error: unknown) => {
          console.log(second.output().slice(-6000));
          throw error;
        });
      await run.caughtUp();
      const totalMs = Date.now() - started;
      const alerts = await run.alerts();
      const result = compareAlerts(suite.reference, alerts);
      suite.measured.push({
        fault: `kill -9 at ${Math.round(share * 100)} %${env.BATCH_CHUNK_SIZE ? `, chunks of ${env.BATCH_CHUNK_SIZE}` : ''}`,
        events: killedAt,
        applied: [...applied.values()].reduce((sum, checkpoint) => sum + Number(checkpoint) + 1, 0),
        alerts: alerts.length,
        duplicates: result.duplicates,
        lost: result.lost.length,
        recoverMs: recoveredAt - restartedAt,
        totalMs,
      });
      await second.signal('SIGTERM');
      await suite.finish();
      expect(result).toEqual({ duplicates: 0, lost: [], extra: [] });
    },
  );
});
