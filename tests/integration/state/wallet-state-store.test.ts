// The wallet state store on the real Redis and the real 3-master Redis Cluster: load and write in one
// round each, compare-and-set between racing writers, version 0 for an absent record, TTLs, and
// failures as coded errors.
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFlowGuardError } from '../../../services/detector/src/errors.js';
import { pipelineStats, runPipelined } from '../../../services/detector/src/redis/pipelined.js';
import {
  callScript,
  createRedisClient,
  type RedisClient,
} from '../../../services/detector/src/redis/redis-connection.js';
import { applySide, checkSide, rememberSample } from '../../../services/detector/src/state/apply-side.js';
import { encodeWalletState } from '../../../services/detector/src/state/wallet-state-codec.js';
import { packRecords, WalletStateStore } from '../../../services/detector/src/state/wallet-state-store.js';
import type { WalletState } from '../../../services/detector/src/state/wallet-state.js';
import { WalletView } from '../../../services/detector/src/state/window-view.js';
import { detectorRedis, REDIS_KINDS, removeKeys } from '../../support/redis-kinds.js';
import { testNames } from '../../support/test-detector.js';
import { featureConfig, sideOf } from '../../support/wallet-sides.js';

const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const DAY = 86_400_000;
const features = featureConfig();
const TTL = 3 * DAY;
const HOUR = 3_600_000;

let offset = 0;
function deposit(walletId: string, payer: string, atMs = T0, amount = 30_000) {
  offset += 1;
  return sideOf(walletId, { eventId: `ev-${offset}`, atMs, from: payer, to: walletId, amount, offset });
}

function applyAll(state: WalletState, sides: ReturnType<typeof deposit>[]): void {
  for (const side of sides) {
    if (checkSide(state, side) !== 'new') continue;
    applySide(state, side, features);
    rememberSample(state, side.event.eventId, side.event.occurredAtMs);
  }
}

describe.each(REDIS_KINDS)('wallet state store on %s', (_name, cluster) => {
  let redis: RedisClient;
  let store: WalletStateStore;
  let prefix: string;

  beforeAll(() => {
    prefix = testNames().env.REDIS_KEY_PREFIX;
    redis = detectorRedis(cluster);
    store = new WalletStateStore(redis, prefix, features);
  });
  afterAll(async () => {
    await removeKeys(redis, prefix);
    await redis.quit();
  });

  it('loads an absent wallet as an empty state of version 0, and reads it as null', async () => {
    const states = await store.load(['nobody']);
    expect(states.get('nobody')).toMatchObject({ walletId: 'nobody', version: 0 });
    expect(states.get('nobody')!.payers.size).toBe(0);
    expect(await store.read('nobody')).toBeNull();
  });

  it('refuses to write over a wallet key of another type, as a corrupt record, and leaves it be', async () => {
    // MGET reads such a key as absent (GET failed on it): the write is where it must be caught.
    const key = store.walletKey('wrong-type');
    await redis.rpush(key, 'not a record');
    const state = (await store.load(['wrong-type'])).get('wrong-type')!;
    expect(state.version).toBe(0);
    applyAll(state, [deposit('wrong-type', 'ref:a')]);
    const error = await store.write([state], () => TTL).catch((e: unknown) => e);
    expect(isFlowGuardError(error) && error.code).toBe('FG_STATE_CORRUPT');
    expect(await redis.lrange(key, 0, -1)).toEqual(['not a record']);
  });

  it('writes and loads many wallets in one round each, and what it loads is what it wrote', async () => {
    const ids = Array.from({ length: 60 }, (_, i) => `rt-${i}`);
    const before = pipelineStats.roundTrips;
    const states = await store.load(ids);
    expect(pipelineStats.roundTrips - before).toBe(cluster ? 3 : 1);
    for (const [id, state] of states)
      applyAll(state, [deposit(id, 'ref:a'), deposit(id, `ref:${id}`, T0 + 60_000)]);

    const written = await store.write([...states.values()], () => TTL);
    expect(written.conflicts).toEqual([]);
    expect(written.written.every((s) => s.version === 1)).toBe(true);
    if (redis instanceof Cluster) {
      const slots = redis.slots;
      const nodes = new Set(ids.map((id) => slots[calculateSlot(store.walletKey(id))]?.[0]));
      expect(nodes.size).toBe(3);
    }

    const loaded = await store.load(ids);
    for (const id of ids) {
      const state = loaded.get(id)!;
      expect(state.version).toBe(1);
      expect(encodeWalletState(state)).toEqual(encodeWalletState(states.get(id)!));
      expect(new WalletView(state, features).window('1h')).toMatchObject({ inCount: 2, distinctPayers: 2 });
    }
    expect((await store.read('rt-7'))!.payers.has('ref:rt-7')).toBe(true);
  });

  it('decides each record of a large write on its own: stale ones conflict, the rest are stored', async () => {
    // 450 records: more than one script call holds (200), and on a cluster one call per slot.
    const ids = Array.from({ length: 450 }, (_, i) => `many-${i}`);
    const states = await store.load(ids);
    for (const [id, state] of states) applyAll(state, [deposit(id, 'ref:a')]);
    const stale = new Set(ids.filter((_, i) => i % 97 === 5));
    // Another writer got to these first: their loaded version 0 is no longer the stored one.
    const other = await store.load([...stale]);
    for (const [id, state] of other) applyAll(state, [deposit(id, 'ref:other')]);
    expect((await store.write([...other.values()], () => TTL)).conflicts).toEqual([]);

    const outcome = await store.write([...states.values()], () => TTL);
    expect(outcome.conflicts.sort()).toEqual([...stale].sort());
    expect(outcome.written.map((s) => s.walletId).sort()).toEqual(ids.filter((id) => !stale.has(id)).sort());
    const loaded = await store.load(ids);
    for (const id of ids) {
      const payer = stale.has(id) ? 'ref:other' : 'ref:a';
      expect(loaded.get(id)!.payers.has(payer)).toBe(true);
      expect(loaded.get(id)!.version).toBe(1);
    }
  });

  it('sets the time-to-live it is given, plus at most an hour', async () => {
    const state = (await store.load(['ttl-wallet'])).get('ttl-wallet')!;
    applyAll(state, [deposit('ttl-wallet', 'ref:a')]);
    await store.write([state], (s) => (s.walletId === 'ttl-wallet' ? 5 * DAY : 0));
    const ttl = await redis.pttl(store.walletKey('ttl-wallet'));
    expect(ttl).toBeGreaterThan(5 * DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(5 * DAY + HOUR);
  });

  it('refreshes the expiry on an append only when the stored one no longer reaches now + time-to-live', async () => {
    const wallet = 'ttl-append';
    const key = store.walletKey(wallet);
    const state = (await store.load([wallet])).get(wallet)!;
    const now = Date.now();
    applyAll(state, [deposit(wallet, 'ref:a')]);
    await store.write([state], () => 5 * DAY, undefined, now);
    expect(await redis.pttl(key)).toBeGreaterThan(5 * DAY + HOUR - 60_000);

    const append = async (atMs: number, payer: string) => {
      const side = deposit(wallet, payer, T0 + atMs - now);
      applyAll(state, [side]);
      const outcome = await store.write(
        [state],
        () => 5 * DAY,
        () => [{ kind: 'applied', side }],
        atMs,
      );
      expect(outcome).toMatchObject({ conflicts: [], appended: 1 });
    };
    // Stand-in for time gone by on the server: the expiry left is shorter than what was set.
    await redis.pexpire(key, 10 * 60_000);
    // Half an hour later by the writer's clock, the expiry it set an hour past 5 days still holds:
    // the append leaves it alone.
    await append(now + HOUR / 2, 'ref:b');
    expect(await redis.pttl(key)).toBeLessThanOrEqual(10 * 60_000);
    // Past the slack, the append sets it again.
    await append(now + HOUR + 1, 'ref:c');
    expect(await redis.pttl(key)).toBeGreaterThan(5 * DAY + HOUR - 60_000);
    expect([...(await store.read(wallet))!.payers.keys()].sort()).toEqual(['ref:a', 'ref:b', 'ref:c']);
  });

  it('lets only the first of two racing writers win; the second reloads, re-applies and loses nothing', async () => {
    const wallet = 'raced';
    const [a, b] = [(await store.load([wallet])).get(wallet)!, (await store.load([wallet])).get(wallet)!];
    const fromA = deposit(wallet, 'ref:from-partition-0', T0, 10_000);
    const fromB = deposit(wallet, 'ref:from-partition-1', T0 + 1_000, 20_000);
    applyAll(a, [fromA]);
    applyAll(b, [fromB]);

    expect(await store.write([a], () => TTL)).toMatchObject({ conflicts: [] });
    const second = await store.write([b], () => TTL);
    expect(second).toEqual({ written: [], conflicts: [wallet], appended: 0 });
    expect(b.version).toBe(0);

    const retry = (await store.load([wallet])).get(wallet)!;
    applyAll(retry, [fromB]);
    expect((await store.write([retry], () => TTL)).conflicts).toEqual([]);
    const final = (await store.read(wallet))!;
    expect(final.version).toBe(2);
    expect(final.lifetime).toMatchObject({ inCount: 2, inSum: 30_000 });
    expect([...final.payers.keys()].sort()).toEqual(['ref:from-partition-0', 'ref:from-partition-1']);
  });

  it('loses no event when eight writers race on one wallet, each retrying its conflicts', async () => {
    const wallet = 'contended';
    const attempts: number[] = [];
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        // Each writer consumes its own input partition, as concurrent writers of one wallet do.
        const side = sideOf(wallet, {
          eventId: `contended-${writer}`,
          atMs: T0 + writer,
          from: `ref:writer-${writer}`,
          to: wallet,
          amount: 1_000 * (writer + 1),
          offset: 7,
          partition: writer,
        });
        for (let attempt = 1; ; attempt++) {
          const state = (await store.load([wallet])).get(wallet)!;
          applyAll(state, [side]);
          if ((await store.write([state], () => TTL)).conflicts.length === 0) {
            attempts.push(attempt);
            return;
          }
        }
      }),
    );
    const final = (await store.read(wallet))!;
    expect(final.version).toBe(8);
    expect(final.lifetime).toMatchObject({ inCount: 8, inSum: 36_000 });
    expect(final.payers.size).toBe(8);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
  });

  it('appends journalled sides to the stored record, which loads as the state that wrote them', async () => {
    const ids = ['journal-a', 'journal-b'];
    const states = await store.load(ids);
    for (const [id, state] of states) applyAll(state, [deposit(id, 'ref:first')]);
    await store.write([...states.values()], () => TTL);
    const snapshotBytes = (await redis.getBuffer(store.walletKey('journal-a')))!.length;

    for (let round = 1; round <= 3; round++) {
      const sides = ids.map((id) => deposit(id, `ref:payer-${round}`, T0 + round * 60_000));
      states.forEach((state) =>
        applyAll(
          state,
          sides.filter((s) => s.walletId === state.walletId),
        ),
      );
      const outcome = await store.write(
        [...states.values()],
        () => TTL,
        (state) => [{ kind: 'applied', side: sides.find((s) => s.walletId === state.walletId)! }],
      );
      expect(outcome.conflicts).toEqual([]);
      expect(outcome.appended).toBe(2);
    }
    const stored = (await redis.getBuffer(store.walletKey('journal-a')))!;
    // Format 2, version 4; the snapshot of the first write is still there, with three sides after it.
    expect([...stored.subarray(0, 7)]).toEqual([2, 0, 0, 0, 0, 0, 4]);
    expect(stored.length).toBeGreaterThan(snapshotBytes);
    expect(stored.length - snapshotBytes).toBeLessThan(snapshotBytes * 2);
    expect(await redis.pttl(store.walletKey('journal-a'))).toBeGreaterThan(TTL - 60_000);

    const loaded = await store.load(ids);
    for (const id of ids) {
      const state = loaded.get(id)!;
      expect(state.version).toBe(4);
      expect(state.memo.record).toEqual({
        snapshotBytes,
        journalBytes: stored.length - snapshotBytes,
        journalEntries: 3,
        expiresAtMs: Number.NaN,
      });
      expect(encodeWalletState(state)).toEqual(encodeWalletState(states.get(id)!));
    }
  });

  it('lets an append lose the compare-and-set like a whole write, and never appends to no record', async () => {
    const wallet = 'journal-raced';
    const first = (await store.load([wallet])).get(wallet)!;
    applyAll(first, [deposit(wallet, 'ref:a')]);
    await store.write([first], () => TTL);
    const [a, b] = [(await store.load([wallet])).get(wallet)!, (await store.load([wallet])).get(wallet)!];
    const fromA = deposit(wallet, 'ref:b', T0 + 60_000);
    const fromB = deposit(wallet, 'ref:c', T0 + 120_000);
    applyAll(a, [fromA]);
    applyAll(b, [fromB]);
    expect(
      (
        await store.write(
          [a],
          () => TTL,
          () => [{ kind: 'applied', side: fromA }],
        )
      ).conflicts,
    ).toEqual([]);
    expect(
      await store.write(
        [b],
        () => TTL,
        () => [{ kind: 'applied', side: fromB }],
      ),
    ).toEqual({
      written: [],
      conflicts: [wallet],
      appended: 0,
    });
    expect([...(await store.read(wallet))!.payers.keys()].sort()).toEqual(['ref:a', 'ref:b']);

    // The record expired under a writer that knew it: the append conflicts instead of writing a journal
    // with no snapshot under it.
    await redis.del(store.walletKey(wallet));
    const side = deposit(wallet, 'ref:d', T0 + 180_000);
    applyAll(a, [side]);
    expect(
      await store.write(
        [a],
        () => TTL,
        () => [{ kind: 'applied', side }],
      ),
    ).toEqual({
      written: [],
      conflicts: [wallet],
      appended: 0,
    });
    expect(await redis.exists(store.walletKey(wallet))).toBe(0);
  });

  it('refuses a version that is not the stored one even when the key is absent', async () => {
    const state = (await store.load(['stale-version'])).get('stale-version')!;
    state.version = 4;
    expect(await store.write([state], () => TTL)).toEqual({
      written: [],
      conflicts: ['stale-version'],
      appended: 0,
    });
    expect(await redis.exists(store.walletKey('stale-version'))).toBe(0);
  });

  it('reports a stored value it cannot read as FG_STATE_CORRUPT, on load and on write', async () => {
    const key = store.walletKey('garbled');
    await redis.set(key, '{"not":"a record"}', 'PX', 60_000);
    await expect(store.load(['garbled'])).rejects.toMatchObject({ code: 'FG_STATE_CORRUPT' });
    await redis.set(key, 'x', 'PX', 60_000);
    const state = (await store.load(['fresh-for-garbled'])).get('fresh-for-garbled')!;
    state.walletId = 'garbled';
    await expect(store.write([state], () => TTL)).rejects.toMatchObject({ code: 'FG_STATE_CORRUPT' });
  });

  it('has the script refuse a record without a readable header, and an append to no record', async () => {
    const key = store.walletKey('refused');
    const header = (format: number, version: number) => Buffer.from([format, 0, 0, 0, 0, 0, version]);
    const run = async (record: Buffer) => {
      const [codes] = await runPipelined(redis, [
        { key, add: (p) => callScript(p, 'writeWalletStates', [key], [packRecords([{ record, ttl: TTL }])]) },
      ]);
      return codes;
    };
    expect(await run(Buffer.from([1, 0, 0]))).toEqual([3]);
    // Version 0 is "no record": no writer can have loaded version -1.
    expect(await run(header(1, 0))).toEqual([3]);
    expect(await run(Buffer.concat([header(2, 1), Buffer.from('entries')]))).toEqual([4]);
    expect(await redis.exists(key)).toBe(0);
    // A whole record of version 1 over no record is written; the same again conflicts.
    expect(await run(Buffer.concat([header(1, 1), Buffer.from('body')]))).toEqual([0]);
    expect(await run(Buffer.concat([header(1, 1), Buffer.from('body')]))).toEqual([1]);
  });

  it('has the script write nothing from a pack that does not hold one record per key', async () => {
    const keys = [store.walletKey('pack-a'), store.walletKey('pack-b')].filter(
      // One slot a call on the cluster: two wallets whose keys share it are not worth finding here.
      (_, i) => !cluster || i === 0,
    );
    const record = (v: number) => ({ record: Buffer.from([1, 0, 0, 0, 0, 0, v, 42]), ttl: TTL });
    const call = (pack: Buffer, keyList = keys) =>
      runPipelined(redis, [
        { key: keyList[0]!, add: (p) => callScript(p, 'writeWalletStates', keyList, [pack]) },
      ]);
    const one = packRecords([record(1)]);
    const cases = [
      Buffer.concat([packRecords(keys.map(() => record(1))), Buffer.from([0])]),
      one.subarray(0, one.length - 1),
      Buffer.alloc(0),
    ];
    for (const pack of cases) {
      await expect(call(pack)).rejects.toThrow(/write-wallet-states/);
    }
    await expect(call(one, [keys[0]!, keys[0]!])).rejects.toThrow(/fewer records than keys/);
    for (const key of keys) expect(await redis.exists(key)).toBe(0);
    expect(await call(packRecords(keys.map(() => record(1))))).toEqual([keys.map(() => 0)]);
  });
});

describe('wallet state store without Redis', () => {
  it('fails with a retryable FG_REDIS_UNAVAILABLE', async () => {
    const redis = createRedisClient({ url: 'redis://127.0.0.1:1', clusterNodes: undefined });
    redis.on('error', () => undefined);
    const store = new WalletStateStore(redis, 'x', features);
    let failure: unknown;
    try {
      await store.load(['w-1']);
    } catch (error) {
      failure = error;
    }
    redis.disconnect();
    expect(isFlowGuardError(failure, 'FG_REDIS_UNAVAILABLE')).toBe(true);
    expect((failure as { retryable: boolean }).retryable).toBe(true);
  });
});
