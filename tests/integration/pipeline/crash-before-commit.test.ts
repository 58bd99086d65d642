// A crash after a chunk's Redis write and before its Kafka commit: the chunk comes again and must
// publish the same alerts, including one the retro search raised on a wallet of ANOTHER partition (a
// replacement found when its campaign was flagged), or that alert is lost: the next commit covers its
// source offset and the pending copy is dropped as published.
import { afterAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../schemas/alert.js';
import type { OutputRecord } from '../../../services/detector/src/kafka/chunk-contract.js';
import { campaign, deposit, HOUR, MINUTE } from '../../support/events.js';
import { pipelineOnRedis } from '../../support/pipeline-on-redis.js';

const { config, pipeline, records, close } = pipelineOnRedis();
const { run: runChunk, committed, deps } = pipeline;
const skippedSearches = async () => (await deps.metrics.seedSearchesSkipped.get()).values[0]?.value ?? 0;
const republished = async () => (await deps.metrics.pendingRepublished.get()).values[0]?.value ?? 0;

const alertsOf = (outputs: OutputRecord[]) =>
  outputs
    .filter((o) => o.topic === config.kafka.alertsTopic)
    .map((o) => AlertSchema.parse(JSON.parse(o.value.toString())));

afterAll(close);

describe('a chunk that comes again after a crash before its commit', () => {
  it('publishes again the replacement alert its retro search raised on another partition’s wallet', async () => {
    const start = Date.now() - 6 * HOUR;
    // Partition 1: a young wallet a few of the campaign's donors already gave to (not alerted alone).
    const replacement = Array.from({ length: 12 }, (_, i) =>
      deposit('w-replacement', start + i * MINUTE, {
        fromRef: `donor-w-campaign-${i}`,
        amount: '300.00',
        toWalletCreatedAt: new Date(start - HOUR).toISOString(),
      }),
    );
    const first = await runChunk(1, records(1, replacement));
    await first.afterCommit?.();
    committed.set(1, BigInt(replacement.length));
    expect(alertsOf(first.records)).toEqual([]);

    // Partition 0: the campaign; flagging it finds the replacement through the shared donors.
    const donations = campaign('w-campaign', start + 30 * MINUTE, 80, MINUTE);
    const chunk = records(0, donations);
    const crashed = await runChunk(0, chunk);
    const raised = alertsOf(crashed.records);
    expect(new Set(raised.map((a) => a.walletId))).toEqual(new Set(['w-campaign', 'w-replacement']));

    // The process died before the transaction committed: nothing was published, nothing settled.
    const skippedBefore = await skippedSearches();
    const republishedBefore = await republished();
    const again = await runChunk(0, chunk, 2);
    // The chunk's write was whole (its checkpoint covers the seed): nothing was searched again, and
    // each stored alert was published again once.
    expect((await skippedSearches()) - skippedBefore).toBe(1);
    expect((await republished()) - republishedBefore).toBe(raised.length);
    expect(
      alertsOf(again.records)
        .map((a) => a.alertId)
        .sort(),
    ).toEqual(raised.map((a) => a.alertId).sort());
  });

  it('raises nothing the uninterrupted chunk did not: the search is not judged again on what came after the flag', async () => {
    const start = Date.now() - 5 * HOUR;
    // Partition 1: an older wallet twelve payers gave to, hours before the campaign.
    const earlier = Array.from({ length: 12 }, (_, i) =>
      deposit('w-earlier', start + i * MINUTE, {
        fromRef: `payer-earlier-${i}`,
        amount: '300.00',
        toWalletCreatedAt: new Date(start - HOUR).toISOString(),
      }),
    );
    const first = await runChunk(1, records(1, earlier, 100), 1);
    await first.afterCommit?.();
    committed.set(1, BigInt(100 + earlier.length));

    // Partition 0: a campaign is flagged, and only AFTER the flag do the same twelve payers give to
    // it. When it was flagged they were nobody's donors, so the other wallet shares none of its
    // donors at that point; the forward path adds overlap only for payers new to a wallet.
    const donations = campaign('w-flagged', start + 60 * MINUTE, 60, MINUTE);
    const after = earlier.map((_, i) =>
      deposit('w-flagged', start + 150 * MINUTE + i * MINUTE, {
        fromRef: `payer-earlier-${i}`,
        amount: '300.00',
        toWalletCreatedAt: new Date(start + 60 * MINUTE - 5 * HOUR).toISOString(),
      }),
    );
    const chunk = records(0, [...donations, ...after], 1000);
    const crashed = await runChunk(0, chunk);
    const raised = alertsOf(crashed.records);
    expect(new Set(raised.map((a) => a.walletId))).toEqual(new Set(['w-flagged']));

    // The chunk comes again: its stored wallets hold everything it applied, the twelve later donors
    // included. Searching again on them would find the older wallet and alert it for the first time.
    const again = await runChunk(0, chunk, 2);
    expect(
      alertsOf(again.records)
        .map((a) => `${a.walletId} ${a.alertId}`)
        .sort(),
    ).toEqual(raised.map((a) => `${a.walletId} ${a.alertId}`).sort());
  });
});
