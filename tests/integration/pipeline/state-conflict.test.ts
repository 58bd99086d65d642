// A chunk whose compare-and-set lost on one wallet (another instance wrote it meanwhile) runs again:
// the event counts once, the wallets it had already stored are not written again, its alerts are
// those of a run without the conflict, and its records are consumed (and refused) once, not per run.
import { afterAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../schemas/alert.js';
import type { OutputRecord } from '../../../services/detector/src/kafka/chunk-contract.js';
import type { RedisClient } from '../../../services/detector/src/redis/redis-connection.js';
import { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import { chunkPipeline } from '../../support/chunk-pipeline.js';
import { campaign, deposit, HOUR, iso, MINUTE, transfer } from '../../support/events.js';
import { pipelineOnRedis } from '../../support/pipeline-on-redis.js';

const alertsOf = (outputs: OutputRecord[], alertsTopic: string) =>
  outputs
    .filter((o) => o.topic === alertsTopic)
    .map((o) => AlertSchema.parse(JSON.parse(o.value.toString())))
    .map((a) => ({ walletId: a.walletId, rules: [...a.rules].sort() }));

/** A store that lets "another instance" write one wallet just before the chunk's first write. */
class InterferedStore extends WalletStateStore {
  writes: string[][] = [];
  interfere: string | null = null;
  /** What the other writer does (by default it writes the victim's record back unchanged). */
  otherWriter: (() => Promise<unknown>) | null = null;

  override async write(...[states, ...rest]: Parameters<WalletStateStore['write']>) {
    const victim = this.interfere;
    if (victim !== null && states.some((s) => s.walletId === victim)) {
      this.interfere = null;
      if (this.otherWriter) {
        await this.otherWriter();
      } else {
        const other = (await this.load([victim])).get(victim)!;
        await super.write([other], () => HOUR);
      }
    }
    this.writes.push(states.map((s) => s.walletId).sort());
    // Everything the chunk passed (its journal and clock too), so the chunk writes as it would unwatched.
    return super.write(states, ...rest);
  }
}

const redises: RedisClient[] = [];
afterAll(async () => {
  for (const redis of redises) redis.disconnect();
});

const START = Date.now() - 6 * HOUR;
// A campaign into w-c, and transfers between five wallets: the chunk touches seven wallets.
const CAMPAIGN_AND_TRANSFERS = [
  ...campaign('w-c', START, 60, MINUTE),
  ...['w-1', 'w-2', 'w-3', 'w-4'].map((to, i) => transfer('w-0', to, START + (i + 1) * MINUTE)),
];

/** A pipeline of its own (fresh key prefix) whose store lets another writer in; `clear` removes its keys. */
function interferedPipeline() {
  const run = pipelineOnRedis(
    (redis, config) => new InterferedStore(redis, config.redis.keyPrefix, config.features),
  );
  redises.push(run.redis);
  return { ...run, store: run.store! };
}

/**
 * Runs one chunk of `events`; with `interfere`, another writer changes w-2 before its first write.
 * With `silenced`, w-c carries an analyst's false-positive flag on every rule before the chunk.
 */
async function runOnce(interfere: boolean, events = CAMPAIGN_AND_TRANSFERS, silenced = false) {
  const { config, store, pipeline, records: recordsOf, clear } = interferedPipeline();
  if (silenced) {
    const state = (await store.load(['w-c'])).get('w-c')!;
    const at = Date.now();
    state.analyst.flags.push({
      flagId: 'fp-1',
      kind: 'false-positive',
      ruleId: null,
      createdAtMs: at,
      expiresAtMs: at + 24 * HOUR,
    });
    await store.write([state], () => 48 * HOUR);
  }
  if (interfere) store.interfere = 'w-2';
  const records = recordsOf(0, events);
  // One record that is not JSON: a dead letter of the chunk, whichever run publishes it.
  records.push({ ...records[0]!, offset: String(records.length), value: Buffer.from('{"eventId":') });
  const outcome = await pipeline.run(0, records);
  const states = await store.load(['w-0', 'w-3']);
  const state = states.get('w-0')!;
  await clear();
  return {
    writes: store.writes,
    alerts: alertsOf(outcome.records, config.kafka.alertsTopic),
    outCount: state.lifetime.outCount,
    inCountOfW3: states.get('w-3')!.lifetime.inCount,
    conflicts: (await pipeline.deps.metrics.stateConflicts.get()).values[0]?.value ?? 0,
    consumed: (await pipeline.deps.metrics.eventsConsumed.get()).values[0]?.value ?? 0,
    refused: (await pipeline.deps.metrics.deadLettered.get()).values.map((v) => [v.labels.code, v.value]),
    deadLetters: outcome.records.filter((o) => o.topic === config.kafka.deadLetterTopic).length,
    suppressed: outcome.records
      .filter((o) => o.topic === config.kafka.auditTopic)
      .map((o) => JSON.parse(o.value.toString()) as { action: string; walletId: string })
      .map((a) => `${a.action} ${a.walletId}`),
    refusedOffsets: outcome.records
      .filter((o) => o.topic === config.kafka.deadLetterTopic)
      .map((o) => Number(o.sourceOffset))
      .sort((a, b) => a - b),
    updates: Object.fromEntries(
      (await pipeline.deps.metrics.walletUpdates.get()).values.map((v) => [v.labels.status, v.value]),
    ),
  };
}

describe('a chunk whose compare-and-set lost', () => {
  it('runs again, writes only the wallet another writer changed, and raises the same alerts', async () => {
    const clean = await runOnce(false);
    const interfered = await runOnce(true);
    expect(clean.writes).toHaveLength(1);
    expect(interfered.conflicts).toBe(1);
    expect(interfered.writes).toEqual([clean.writes[0], ['w-2']]);
    expect(interfered.outCount).toBe(4);
    // 60 donations and 4 transfers (two sides each). The second run applies again only the event of
    // the wallet whose write lost (w-0 → w-2): w-2's side anew, w-0's as a redelivery; the other 63
    // events are not looked at again, and w-c's alert is published from its stored record.
    expect(clean.updates).toEqual({ applied: 68 });
    expect(interfered.updates).toEqual({ applied: 68 + 1, duplicate: 1 });
    expect(interfered.alerts).toEqual(clean.alerts);
    for (const run of [clean, interfered]) {
      expect(run.consumed).toBe(65);
      expect(run.refused).toEqual([['FG_EVENT_NOT_JSON', 1]]);
      expect(run.deadLetters).toBe(1);
    }
    expect(clean.alerts.map((a) => a.walletId)).toContain('w-c');
  });

  it('refuses in its second run the eventId conflicts its first run refused, and applies them to no wallet', async () => {
    // Offset 1 re-uses offset 0's eventId with another amount: refused on w-0, whose ring holds it.
    // Offset 2 moves w-0's watermark past it, so a second run would see w-0's side as a redelivery
    // and w-3's (written by nothing) as new. Offset 3 is the wallet another writer changes.
    const events = [
      transfer('w-0', 'w-1', START, { eventId: 'same-id' }),
      transfer('w-0', 'w-3', START + MINUTE, { eventId: 'same-id', amount: '999.00' }),
      transfer('w-0', 'w-4', START + 2 * MINUTE),
      transfer('w-5', 'w-2', START + 3 * MINUTE),
    ];
    const clean = await runOnce(false, events);
    const interfered = await runOnce(true, events);
    expect(interfered.conflicts).toBe(1);
    for (const run of [clean, interfered]) {
      expect(run.refusedOffsets).toEqual([1, 4]);
      expect(run.inCountOfW3).toBe(0);
      expect(run.outCount).toBe(2);
    }
  });

  it('searches again only the lost wallets for a seed its first run stored, and raises nothing new', async () => {
    // Twelve payers give to w-e, then (after w-c is flagged) to w-c too. The uninterrupted chunk
    // flags w-c before they are its donors, so w-e is no replacement. A second run that searched
    // w-c's stored payers again would count them and alert w-e.
    const earlier = Array.from({ length: 12 }, (_, i) =>
      deposit('w-e', START + i * MINUTE, { fromRef: `payer-e-${i}`, toWalletCreatedAt: iso(START - HOUR) }),
    );
    const later = earlier.map((_, i) =>
      deposit('w-c', START + 100 * MINUTE + i * MINUTE, {
        fromRef: `payer-e-${i}`,
        toWalletCreatedAt: iso(START + 30 * MINUTE - 5 * HOUR),
      }),
    );
    const events = [...earlier, ...campaign('w-c', START + 30 * MINUTE, 60, MINUTE), ...later];
    events.push(...['w-1', 'w-2'].map((to, i) => transfer('w-0', to, START + (i + 1) * MINUTE)));
    const clean = await runOnce(false, events);
    const interfered = await runOnce(true, events);
    expect(interfered.conflicts).toBe(1);
    expect(clean.alerts.map((a) => a.walletId)).toContain('w-c');
    expect(clean.alerts.map((a) => a.walletId)).not.toContain('w-e');
    expect(interfered.alerts).toEqual(clean.alerts);
  });

  it('applies an event to every wallet or none when another writer re-used its eventId meanwhile', async () => {
    // The first run applies a transfer w-0 → w-2. Before its write, another instance puts the same
    // eventId with another amount into w-2, so w-2's write loses. w-0 stored the transfer; the run
    // again must not then refuse it on w-2 (a dead letter saying it was applied nowhere).
    const { config, redis, store, pipeline, records, clear } = interferedPipeline();
    const otherInstance = chunkPipeline(config, redis);
    store.interfere = 'w-2';
    store.otherWriter = () =>
      otherInstance.run(1, records(1, [deposit('w-2', START, { eventId: 'shared-id', amount: '999.00' })]));

    const outcome = await pipeline.run(
      0,
      records(0, [transfer('w-0', 'w-2', START + MINUTE, { eventId: 'shared-id' })]),
    );
    const states = await store.load(['w-0', 'w-2']);
    await clear();

    expect((await pipeline.deps.metrics.stateConflicts.get()).values[0]?.value).toBe(1);
    expect(states.get('w-0')!.lifetime.outCount).toBe(1);
    // The other instance's deposit and this transfer.
    expect(states.get('w-2')!.lifetime.inCount).toBe(2);
    expect(outcome.records.filter((o) => o.topic === config.kafka.deadLetterTopic)).toEqual([]);
  });

  it('keeps the audit records of alerts an analyst silenced in its first run', async () => {
    const clean = await runOnce(false, CAMPAIGN_AND_TRANSFERS, true);
    const interfered = await runOnce(true, CAMPAIGN_AND_TRANSFERS, true);
    expect(interfered.conflicts).toBe(1);
    expect(clean.alerts).toEqual([]);
    expect(clean.suppressed.length).toBeGreaterThan(0);
    expect(clean.suppressed.every((a) => a === 'alert.suppressed w-c')).toBe(true);
    expect(interfered.suppressed).toEqual(clean.suppressed);
  });
});
