// The velocity feature store: applies a batch of wallet updates in Redis (one pipeline) and reads the
// wallet facts the rules and the REST API need.
import type { ChainableCommander } from 'ioredis';
import type { FeatureConfig } from '../config.js';
import type { WalletUpdate } from '../ingest/normalized-event.js';
import { callScript, type RedisClient } from '../redis/redis-connection.js';
import { runPipelined, type PipelinedCommand } from '../redis/pipelined.js';
import { parseWalletSnapshot, type WalletFeatures } from './wallet-features.js';
import { donorFilterBit, donorFilterKey, payerFlaggedPayeesKey, walletKeys } from './wallet-keys.js';

const HOUR = 3_600_000;

export interface HourlyHistory {
  /** Inbound counts per hour, oldest first, ending the hour before `endHourMs`. */
  counts: number[];
  sums: number[];
  endHourMs: number;
}

export class FeatureStore {
  private readonly windowSpec: string;
  private readonly resolutionSpec: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly config: FeatureConfig,
    private readonly prefix: string,
  ) {
    this.windowSpec = config.windows.map((w) => `${w.name}:${w.lengthMs}:${w.resolutionMs}`).join(';');
    this.resolutionSpec = config.resolutions.map((r) => `${r.resolutionMs}:${r.retentionMs}`).join(';');
  }

  private streamStartMs: number | undefined;

  /**
   * Event time of the first event this deployment processed (kept in Redis, so it survives restarts):
   * before it, no wallet has a history here. Read once per process.
   */
  async streamStart(batchFirstEventMs: number): Promise<number> {
    if (this.streamStartMs !== undefined) return this.streamStartMs;
    const key = `${this.prefix}:{stream}:first-event-ms`;
    const [, [, stored]] = (await this.redis.multi().set(key, batchFirstEventMs, 'NX').get(key).exec())! as [
      unknown,
      [null, string],
    ];
    this.streamStartMs = Number(stored);
    return this.streamStartMs;
  }

  /**
   * Which flagged wallets each payer has already paid (for the replacement-wallet rule), one pipeline.
   * Returns payer → flagged wallet ids flagged no earlier than `sinceMs`.
   */
  async flaggedPayeesOf(payers: string[], sinceMs: number): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    const unique = [...new Set(payers)];
    if (!unique.length) return found;
    const filter = donorFilterKey(this.prefix);
    const [hits] = (await runPipelined(this.redis, [
      { key: filter, add: (p) => callScript(p, 'probeDonorFilter', [filter], unique.map(donorFilterBit)) },
    ])) as [number[]];
    if (!hits.length) return found;
    const candidates = hits.map((position) => unique[position - 1]!);
    const replies = await runPipelined(
      this.redis,
      candidates.map((payer) => {
        const key = payerFlaggedPayeesKey(this.prefix, payer);
        return { key, add: (p) => p.zrangebyscore(key, sinceMs, '+inf') };
      }),
    );
    replies.forEach((reply, i) => {
      const wallets = reply as string[];
      if (wallets.length > 0) found.set(candidates[i]!, wallets);
    });
    return found;
  }

  /** The flagged wallet sharing most payers with this wallet, from its whole payer set (not as they came). */
  async overlapWithFlagged(
    walletId: string,
    sinceMs: number,
  ): Promise<{ walletId: string; sharedPayers: number; payersHeld: number } | null> {
    const payers = await this.recentPayers(walletId);
    const flagged = await this.flaggedPayeesOf(payers, sinceMs);
    const shared = new Map<string, number>();
    for (const wallets of flagged.values()) {
      for (const other of wallets) if (other !== walletId) shared.set(other, (shared.get(other) ?? 0) + 1);
    }
    let best: { walletId: string; sharedPayers: number; payersHeld: number } | null = null;
    for (const [other, count] of shared)
      if (!best || count > best.sharedPayers)
        best = { walletId: other, sharedPayers: count, payersHeld: payers.length };
    return best;
  }

  /** Applies every update of a batch in one pipeline and returns each wallet's features after it. */
  async apply(updates: WalletUpdate[], flaggedPayees: Map<string, string[]>): Promise<WalletFeatures[]> {
    const c = this.config;
    const commands: PipelinedCommand[] = updates.map((u) => {
      const k = walletKeys(this.prefix, u.walletId);
      const inbound = u.direction === 'in';
      const amount = u.event.amount;
      const flagged = inbound
        ? (flaggedPayees.get(u.counterparty) ?? []).filter((w) => w !== u.walletId)
        : [];
      return {
        key: k.meta,
        add: (p) =>
          callScript(
            p,
            'updateWallet',
            [k.meta, k.buckets, k.payers, k.payees, k.seen, k.payerHll, k.outbox],
            [
              u.event.eventId,
              u.event.occurredAtMs,
              u.direction,
              amount,
              u.counterparty,
              u.openedAtMs ?? '',
              inbound && amount <= c.smallAmountMax ? 1 : 0,
              inbound && amount >= c.nearThresholdFrom && amount < c.reportingThreshold ? 1 : 0,
              c.dedupHorizonMs,
              c.keyTtlMs,
              c.counterpartyCap,
              this.windowSpec,
              this.resolutionSpec,
              flagged.join(','),
            ],
          ),
      };
    });
    const replies = await runPipelined(this.redis, commands);
    return replies.map((raw, i) => parseWalletSnapshot(updates[i]!.walletId, raw as unknown[], c.windows));
  }

  /** Hourly inbound history of several wallets (the baseline), one pipeline. */
  async hourlyHistories(
    wallets: { walletId: string; lastEventMs: number }[],
    hours: number,
  ): Promise<HourlyHistory[]> {
    const commands = wallets.map(({ walletId, lastEventMs }) => {
      const key = walletKeys(this.prefix, walletId).buckets;
      const endHour = Math.floor(lastEventMs / HOUR);
      const fields = Array.from({ length: hours }, (_, i) => `${HOUR}:${endHour - hours + i}`);
      return { key, add: (p: Parameters<PipelinedCommand['add']>[0]) => p.hmget(key, ...fields) };
    });
    const replies = await runPipelined(this.redis, commands);
    return replies.map((reply, i) => {
      const counts: number[] = [];
      const sums: number[] = [];
      for (const packed of reply as (string | null)[]) {
        const [count = '0', sum = '0'] = packed ? packed.split(',') : [];
        counts.push(Number(count));
        sums.push(Number(sum));
      }
      return { counts, sums, endHourMs: Math.floor(wallets[i]!.lastEventMs / HOUR) * HOUR };
    });
  }

  /** A wallet's current features without changing them (REST); null when the wallet is unknown. */
  async read(walletId: string): Promise<(WalletFeatures & { lifetimeDistinctPayers: number }) | null> {
    const k = walletKeys(this.prefix, walletId);
    // One transaction (one round trip): all four keys share the wallet's hash tag.
    const replies = (await this.redis
      .multi()
      .hgetall(k.meta)
      .pfcount(k.payerHll)
      .zrangebyscore(k.payers, '-inf', '+inf', 'WITHSCORES')
      .zrangebyscore(k.payees, '-inf', '+inf', 'WITHSCORES')
      .exec())!;
    const [meta, hll, payers, payees] = replies.map(([, value]) => value) as [
      Record<string, string>,
      number,
      string[],
      string[],
    ];
    if (!meta || !meta.last) return null;
    const last = Number(meta.last);
    const countSince = (withScores: string[], since: number) => {
      let count = 0;
      for (let i = 1; i < withScores.length; i += 2) if (Number(withScores[i]) >= since) count += 1;
      return count;
    };
    const raw: unknown[] = [
      0,
      meta.first,
      meta.opened ?? -1,
      last,
      meta.ln ?? 0,
      meta.lmean ?? 0,
      meta.lm2 ?? 0,
      meta.lout ?? 0,
      payers.length / 2,
      payees.length / 2,
      meta.ovTop ?? '',
      meta.ovTopN ?? 0,
      0,
      meta.flaggedAt ?? -1,
    ];
    // meta.win holds "startIndex:v1,...,v7" per window, in the configured order (update-wallet-7.lua).
    const states = (meta.win ?? '').split(';');
    this.config.windows.forEach((w, i) => {
      const [start, packed] = (states[i] ?? '').split(':');
      const values = packed ? packed.split(',').map(Number) : [0, 0, 0, 0, 0, 0, 0];
      const startIdx = start
        ? Number(start)
        : Math.floor(last / w.resolutionMs) - w.lengthMs / w.resolutionMs + 1;
      const startMs = startIdx * w.resolutionMs;
      raw.push(...values, countSince(payers, startMs), countSince(payees, startMs), startMs);
    });
    return { ...parseWalletSnapshot(walletId, raw, this.config.windows), lifetimeDistinctPayers: hll };
  }

  /** Recent payers of a wallet (for seeding the replacement-wallet index when it is flagged). */
  async recentPayers(walletId: string): Promise<string[]> {
    return this.redis.zrange(walletKeys(this.prefix, walletId).payers, 0, -1);
  }

  /**
   * Marks a wallet flagged (an alert of a seeding rule, or an analyst's confirmed/blocked) and records
   * its payers as donors, so a wallet they pay next can be matched by the replacement-wallet rule.
   */
  async markFlagged(walletId: string, flaggedAtMs: number, payers: string[], ttlMs: number): Promise<void> {
    const meta = walletKeys(this.prefix, walletId).meta;
    await this.redis.hsetnx(meta, 'flaggedAt', flaggedAtMs);
    await this.indexDonors(
      payers.map((payer) => ({ payer, walletId, atMs: flaggedAtMs })),
      ttlMs,
    );
  }

  /** Donor index entries: this payer paid this flagged wallet at this time. One pipeline. */
  async indexDonors(
    entries: { payer: string; walletId: string; atMs: number }[],
    ttlMs: number,
  ): Promise<void> {
    const filter = donorFilterKey(this.prefix);
    await runPipelined(
      this.redis,
      entries.flatMap(({ payer, walletId, atMs }) => {
        const key = payerFlaggedPayeesKey(this.prefix, payer);
        return [
          { key: filter, add: (p: ChainableCommander) => p.setbit(filter, donorFilterBit(payer), 1) },
          { key, add: (p: ChainableCommander) => p.zadd(key, 'GT', atMs, walletId) },
          { key, add: (p: ChainableCommander) => p.pexpire(key, ttlMs) },
        ];
      }),
    );
  }
}
