// Out-of-bounds events change no alert: the detector's own chunk code (decode → apply and detect) run
// over in-memory wallets, once on a stream and once on the same stream with hostile records added
// anywhere — dated beyond the skew, before the floor, an applied eventId with another body, opening
// times after the event or before the floor. The alerts must be byte for byte the same.
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { CurrencyConverter } from '../../../services/detector/src/domain/money.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../services/detector/src/domain/time.js';
import type { ChunkContext, SourceRecord } from '../../../services/detector/src/kafka/chunk-contract.js';
import { createMetrics } from '../../../services/detector/src/metrics.js';
import { decodeRecord, type DecodeContext } from '../../../services/detector/src/pipeline/decode-record.js';
import type { PipelineDeps } from '../../../services/detector/src/pipeline/pipeline-deps.js';
import { StreamRegistry } from '../../../services/detector/src/pipeline/stream-registry.js';
import { ChunkWallets } from '../../../services/detector/src/pipeline/chunk-wallets.js';
import { WalletLeases } from '../../../services/detector/src/state/wallet-leases.js';
import { WalletStateCache } from '../../../services/detector/src/state/wallet-state-cache.js';
import { runTransactionChunk } from '../../../services/detector/src/pipeline/transaction-chunk.js';
import { loadRuleCatalog } from '../../../services/detector/src/rules/rule-catalog.js';
import type { DonorIndex } from '../../../services/detector/src/state/donor-index.js';
import type { WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import { emptyWalletState } from '../../../services/detector/src/state/wallet-state.js';

const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
const catalog = loadRuleCatalog(config.rulesFile, config.features.windows, config.features.base);
const converter = new CurrencyConverter(config.features.base, config.features.fxRates);
const metrics = createMetrics();
const logger = pino({ level: 'silent' });
const SKEW = config.ingest.eventTimeSkewMs;
const FLOOR = config.ingest.walletCreatedFloorMs;
const START = Date.UTC(2026, 10, 20, 6, 0, 0);
const CAMPAIGN = 'w-campaign';
const TOPIC = config.kafka.inputTopic;
const RUNS = 300;

/** The stream registry's one Redis hash, in memory (the registry's own estimate is what runs). */
function memoryHash(): Redis {
  const fields = new Map<string, string>();
  return {
    hget: async (_key: string, field: string) => fields.get(field) ?? null,
    hsetnx: async (_key: string, field: string, value: number) => {
      if (fields.has(field)) return 0;
      fields.set(field, String(value));
      return 1;
    },
  } as unknown as Redis;
}

/** One chunk through the detector's transaction path, every wallet new, no donor index: its outputs. */
async function runChunk(records: SourceRecord[], nowMs: number) {
  const deps: PipelineDeps = {
    config,
    store: {
      load: async (ids: string[]) =>
        new Map(ids.map((id) => [id, emptyWalletState(id, config.features.fineBucketMs)])),
    } as unknown as WalletStateStore,
    leases: new WalletLeases(),
    cache: new WalletStateCache({ maxBytes: 0, maxIdleMs: 0 }),
    donors: {
      lookup: async () => new Map(),
      recentGifts: async (payers: string[]) => new Map(payers.map((p) => [p, []])),
    } as unknown as DonorIndex,
    streams: new StreamRegistry(memoryHash(), 'p', logger),
    catalog: () => catalog,
    converter,
    metrics,
    logger,
    now: () => nowMs,
    committedOffset: async () => null,
    origin: 'live',
    alerts: 'publish',
  };
  const ctx: ChunkContext = {
    topic: TOPIC,
    partition: 0,
    streamKey: 'i1/0',
    committedOffset: null,
    attempt: 1,
    signal: new AbortController().signal,
  };
  const wallets = new ChunkWallets(deps);
  const work = await runTransactionChunk(deps, ctx, records, wallets).finally(() => wallets.release());
  const out = work.output.records();
  return {
    alerts: out.filter((r) => r.topic === config.kafka.alertsTopic).map((r) => String(r.value)),
    deadLetters: out
      .filter((r) => r.topic === config.kafka.deadLetterTopic)
      .map((r) => JSON.parse(String(r.value)) as { code: string; source: { offset: string } }),
  };
}

interface Entry {
  event: TransactionEventInput | Record<string, unknown>;
  timestampMs: number;
  /** The dead-letter codes this record may get: none for the stream's own events. */
  expect?: string[];
}

function toRecords(entries: Entry[]): SourceRecord[] {
  return entries.map((e, i) => ({
    topic: TOPIC,
    partition: 0,
    offset: String(i),
    timestampMs: e.timestampMs,
    key: null,
    value: Buffer.from(JSON.stringify(e.event)),
  }));
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A campaign wallet among ordinary wallets, with its cash-out; the shape varies with the inputs. */
const streamArb = fc
  .record({
    donors: fc.integer({ min: 35, max: 90 }),
    spacingMs: fc.integer({ min: 20_000, max: 6 * MINUTE_MS }),
    // Mostly young: an old or unknown wallet is not judged without a baseline, and raises nothing.
    opened: fc.constantFrom('young', 'young', 'young', 'old', 'unknown'),
    claimEvery: fc.integer({ min: 1, max: 5 }),
    ordinary: fc.integer({ min: 0, max: 40 }),
    cashOut: fc.boolean(),
  })
  .map((s): Entry[] => {
    const events: TransactionEventInput[] = [];
    const openedAt =
      s.opened === 'young' ? START - 5 * HOUR_MS : s.opened === 'old' ? START - 400 * DAY_MS : undefined;
    for (let i = 0; i < s.donors; i++) {
      events.push({
        eventId: `d-${i}`,
        occurredAt: iso(START + i * s.spacingMs),
        type: 'deposit',
        amount: `${200 + ((i * 37) % 400)}.00`,
        currency: 'RUB',
        fromRef: `donor-${i}`,
        toWalletId: CAMPAIGN,
        ...(openedAt !== undefined && i % s.claimEvery === 0 ? { toWalletCreatedAt: iso(openedAt) } : {}),
      });
    }
    for (let i = 0; i < s.ordinary; i++) {
      const at = START - 2 * HOUR_MS + i * 7 * MINUTE_MS;
      events.push(
        i % 3 === 0
          ? {
              eventId: `o-${i}`,
              occurredAt: iso(at),
              type: 'transfer',
              amount: '450.00',
              currency: 'RUB',
              fromWalletId: `w-ord-${i % 5}`,
              toWalletId: `w-ord-${(i + 1) % 5}`,
            }
          : {
              eventId: `o-${i}`,
              occurredAt: iso(at),
              type: 'deposit',
              amount: `${900 + i}.00`,
              currency: 'RUB',
              fromRef: `card-own-${i % 5}`,
              toWalletId: `w-ord-${i % 5}`,
            },
      );
    }
    if (s.cashOut) {
      const end = START + s.donors * s.spacingMs;
      events.push({
        eventId: 'cash-1',
        occurredAt: iso(end + 10 * MINUTE_MS),
        type: 'transfer',
        amount: '9000.00',
        currency: 'RUB',
        fromWalletId: CAMPAIGN,
        toWalletId: 'w-mule',
      });
      events.push({
        eventId: 'cash-2',
        occurredAt: iso(end + 20 * MINUTE_MS),
        type: 'withdrawal',
        amount: '8900.00',
        currency: 'RUB',
        fromWalletId: 'w-mule',
        toRef: 'bank-1',
      });
    }
    events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
    return events.map((event) => ({ event, timestampMs: Date.parse(event.occurredAt) + 2000 }));
  });

/** One hostile change to a stream, placed by fractions of its length (fast-check shrinks them well). */
const hostileArb = fc.oneof(
  fc.record({
    kind: fc.constant('future' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    aheadMs: fc.integer({ min: SKEW + 1, max: 30 * DAY_MS }),
    wallet: fc.constantFrom(CAMPAIGN, 'w-ord-1', 'w-mule'),
  }),
  fc.record({
    kind: fc.constant('before-floor' as const),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    beforeMs: fc.integer({ min: 1, max: 30 * 365 * DAY_MS }),
    wallet: fc.constantFrom(CAMPAIGN, 'w-ord-1'),
  }),
  fc.record({
    kind: fc.constant('conflict' as const),
    of: fc.double({ min: 0, max: 1, noNaN: true }),
    after: fc.double({ min: 0, max: 1, noNaN: true }),
    change: fc.oneof(
      fc.record({ amount: fc.integer({ min: 1, max: 100_000 }) }),
      fc.record({ shiftMs: fc.integer({ min: -3 * HOUR_MS, max: 3 * HOUR_MS }).filter((n) => n !== 0) }),
    ),
  }),
  fc.record({
    kind: fc.constant('claim' as const),
    of: fc.double({ min: 0, max: 1, noNaN: true }),
    claim: fc.oneof(
      fc.record({ afterEventMs: fc.integer({ min: 1, max: 30 * DAY_MS }) }),
      fc.record({ beforeFloorMs: fc.integer({ min: 1, max: 30 * 365 * DAY_MS }) }),
    ),
  }),
);

type HostileChange = typeof hostileArb extends fc.Arbitrary<infer T> ? T : never;

const pick = (length: number, fraction: number) => Math.min(length - 1, Math.floor(fraction * length));

/** The stream with the hostile changes made: claims replaced in place, records inserted. */
function withHostile(base: Entry[], changes: HostileChange[]): Entry[] {
  const entries = base.map((e) => ({ ...e, event: { ...e.event } }));
  const inserts: { index: number; entry: Entry }[] = [];
  for (const h of changes) {
    if (h.kind === 'claim') {
      const e = entries[pick(entries.length, h.of)]!.event as TransactionEventInput;
      const t = Date.parse(e.occurredAt);
      // Only on a side that has no claim: replacing a true claim would change what is known.
      const claim = 'afterEventMs' in h.claim ? t + h.claim.afterEventMs : FLOOR - h.claim.beforeFloorMs;
      if (e.toWalletId !== undefined && e.toWalletCreatedAt === undefined) e.toWalletCreatedAt = iso(claim);
      else if (e.fromWalletId !== undefined && e.fromWalletCreatedAt === undefined)
        e.fromWalletCreatedAt = iso(claim);
      continue;
    }
    if (h.kind === 'conflict') {
      const of = pick(base.length, h.of);
      const original = base[of]!.event as TransactionEventInput;
      const index = of + 1 + Math.floor(h.after * (base.length - of));
      const event =
        'amount' in h.change
          ? { ...original, amount: ((Number(original.amount) * 100 + h.change.amount) / 100).toFixed(2) }
          : { ...original, occurredAt: iso(Date.parse(original.occurredAt) + h.change.shiftMs) };
      const ts = base[Math.min(index, base.length - 1)]!.timestampMs;
      // A shifted time may also fall beyond the skew: that record is refused at the door instead.
      inserts.push({
        index,
        entry: { event, timestampMs: ts, expect: ['FG_EVENT_ID_CONFLICT', 'FG_EVENT_TIME_SKEW'] },
      });
      continue;
    }
    const index = Math.floor(h.at * (base.length + 1));
    const ts = base[Math.min(index, base.length - 1)]!.timestampMs;
    const occurredAtMs = h.kind === 'future' ? ts + h.aheadMs : FLOOR - h.beforeMs;
    inserts.push({
      index,
      entry: {
        event: {
          eventId: `hostile-${inserts.length}`,
          occurredAt: iso(occurredAtMs),
          type: 'deposit',
          amount: '300.00',
          currency: 'RUB',
          fromRef: `donor-hostile-${inserts.length}`,
          toWalletId: h.wallet,
        },
        timestampMs: ts,
        expect: [h.kind === 'future' ? 'FG_EVENT_TIME_SKEW' : 'FG_EVENT_TOO_OLD'],
      },
    });
  }
  // Insert from the back so earlier indexes stay where they were computed.
  inserts.sort((a, b) => b.index - a.index);
  for (const { index, entry } of inserts) entries.splice(index, 0, entry);
  return entries;
}

const nowOf = (entries: Entry[]) => Math.max(...entries.map((e) => e.timestampMs)) + MINUTE_MS;

describe('out-of-bounds events', () => {
  it('never change the alerts of a stream, wherever they are added', async () => {
    let alerted = 0;
    await fc.assert(
      fc.asyncProperty(
        streamArb,
        fc.array(hostileArb, { minLength: 1, maxLength: 12 }),
        async (base, changes) => {
          const nowMs = nowOf(base);
          const plain = await runChunk(toRecords(base), nowMs);
          expect(plain.deadLetters).toEqual([]);
          const hostile = withHostile(base, changes);
          const attacked = await runChunk(toRecords(hostile), nowMs);
          expect(attacked.alerts.map((a) => JSON.parse(a) as unknown)).toEqual(
            plain.alerts.map((a) => JSON.parse(a) as unknown),
          );
          // Each added record is dead-lettered, with a code its fault allows; nothing else is. (Decode
          // refusals come out before the conflicts found while applying: compare in offset order.)
          const added = hostile.flatMap((e, i) => (e.expect ? [{ offset: i, codes: e.expect }] : []));
          const letters = attacked.deadLetters
            .map((l) => ({ offset: Number(l.source.offset), code: l.code }))
            .sort((a, b) => a.offset - b.offset);
          expect(letters.map((l) => l.offset)).toEqual(added.map((a) => a.offset));
          letters.forEach((l, i) => expect(added[i]!.codes).toContain(l.code));
          if (plain.alerts.length) alerted += 1;
        },
      ),
      { numRuns: RUNS },
    );
    console.log(
      `hostile property: ${RUNS} streams, ${alerted} of them alerting, alerts unchanged in every one`,
    );
    // The property says something only if many of the streams alert at all: about 40% do, and a
    // fifth is far below any run seen.
    expect(alerted).toBeGreaterThan(RUNS / 5);
  }, 120_000);
});

describe('decode classifies what is out of bounds', () => {
  const ctx: DecodeContext = { ingest: config.ingest, features: config.features, converter, nowMs: START };
  const decode = (event: unknown, timestampMs: number) =>
    decodeRecord(
      {
        value: Buffer.from(JSON.stringify(event)),
        source: { topic: TOPIC, partition: 0, offset: 1, timestampMs, streamKey: 'i1/0' },
      },
      ctx,
    );
  const event = (occurredAtMs: number, extra: Record<string, string> = {}) => ({
    eventId: 'e-1',
    occurredAt: iso(occurredAtMs),
    type: 'transfer',
    amount: '150.00',
    currency: 'RUB',
    fromWalletId: 'w-a',
    toWalletId: 'w-b',
    ...extra,
  });
  // Record timestamps up to a day either side of now: a producer's clock is believed only up to now.
  const recordTime = fc.integer({ min: START - DAY_MS, max: START + DAY_MS });

  it('refuses a time beyond the skew of the record (or of now, if the record is later) and keeps one within it', () => {
    fc.assert(
      fc.property(recordTime, fc.integer({ min: 1, max: 400 * DAY_MS }), (ts, ahead) => {
        const reference = Math.min(ts, START);
        const result = decode(event(reference + SKEW + ahead), ts);
        expect(result.ok ? 'ok' : result.code).toBe('FG_EVENT_TIME_SKEW');
        expect(decode(event(reference + Math.min(SKEW, ahead)), ts).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a time before the floor', () => {
    fc.assert(
      fc.property(recordTime, fc.integer({ min: 1, max: 30 * 365 * DAY_MS }), (ts, before) => {
        const result = decode(event(FLOOR - before), ts);
        expect(result.ok ? 'ok' : result.code).toBe('FG_EVENT_TOO_OLD');
      }),
      { numRuns: 300 },
    );
  });

  it('accepts the payment but not an opening time after it or before the floor; keeps a plausible one', () => {
    const claim = fc.oneof(
      fc.integer({ min: 1, max: 400 * DAY_MS }).map((d) => ({ offsetMs: d, plausible: false })),
      fc.integer({ min: 1, max: 30 * 365 * DAY_MS }).map((d) => ({ floorMs: FLOOR - d, plausible: false })),
      fc.integer({ min: 0, max: 365 * DAY_MS }).map((d) => ({ offsetMs: -d, plausible: true })),
    );
    fc.assert(
      fc.property(recordTime, claim, claim, (ts, from, to) => {
        const at = Math.min(ts, START) - HOUR_MS;
        const instant = (c: typeof from) => ('floorMs' in c ? c.floorMs : at + c.offsetMs);
        const result = decode(
          event(at, { fromWalletCreatedAt: iso(instant(from)), toWalletCreatedAt: iso(instant(to)) }),
          ts,
        );
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.event.fromOpenedAtMs).toBe(from.plausible ? instant(from) : undefined);
        expect(result.event.toOpenedAtMs).toBe(to.plausible ? instant(to) : undefined);
        expect(result.ignoredOpeningTimes).toBe(Number(!from.plausible) + Number(!to.plausible));
      }),
      { numRuns: 500 },
    );
  });
});
