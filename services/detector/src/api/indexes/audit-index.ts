// The audit index: every record of the audit topic (per wallet and overall, by time), each flag's
// furthest state, the approval queue, and the watchlist (mentions from their topic, removals from the
// audit topic). Every write is idempotent, so a replay or a rebuild from Kafka lands on the same index.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AuditRecordSchema, type AuditRecord } from '../../../../../schemas/audit-record.js';
import type { WalletFlag } from '../../../../../schemas/wallet-flag.js';
import { WalletMentionSchema, type WalletMention } from '../../../../../schemas/wallet-mention.js';
import type { WatchlistSource } from '../../../../../schemas/watchlist.js';
import type { RedisClient } from '../../redis/redis-connection.js';
import { flagActionRank } from '../decisions/flag-decisions.js';
import type { AuditKeys } from './index-keys.js';
import { queueIndexScript, runIndexScript } from './index-scripts.js';
import { execOrThrow, recordJson } from './record-values.js';
import type { MaterializedBatch } from './topic-materializer.js';
import { pageNewestFirst } from './zset-pages.js';

/** One mention listing a wallet, as the index keeps it. */
export interface WatchMention {
  mentionId: string;
  source: string;
  url?: string;
  note?: string;
  seenAt: string;
  listedAtMs: number;
  expiresAtMs: number;
}

/** A mention as the REST views show it. */
export function watchSourceView(mention: WatchMention): WatchlistSource {
  return {
    mentionId: mention.mentionId,
    source: mention.source,
    ...(mention.url !== undefined ? { url: mention.url } : {}),
    ...(mention.note !== undefined ? { note: mention.note } : {}),
    seenAt: mention.seenAt,
    listedAt: new Date(mention.listedAtMs).toISOString(),
    expiresAt: new Date(mention.expiresAtMs).toISOString(),
  };
}

export interface AuditQuery {
  walletId?: string | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

export class AuditIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: AuditKeys,
    private readonly topics: { audit: string; mentions: string },
    private readonly watchlistTtlMs: number,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  async applyBatch(batch: MaterializedBatch): Promise<void> {
    if (batch.topic === this.topics.audit) {
      const records: AuditRecord[] = [];
      for (const message of batch.messages) {
        const parsed = AuditRecordSchema.safeParse(recordJson(message));
        if (parsed.success) records.push(parsed.data);
        else this.skip(batch, message.offset, parsed.error.issues[0]?.message);
      }
      await this.applyAudit(records);
    } else if (batch.topic === this.topics.mentions) {
      for (const message of batch.messages) {
        const parsed = WalletMentionSchema.safeParse(recordJson(message));
        if (parsed.success) await this.applyMention(parsed.data, Number(message.timestamp));
        else this.skip(batch, message.offset, parsed.error.issues[0]?.message);
      }
    }
  }

  async applyAudit(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const k = this.keys;
    const pipeline = this.redis.pipeline();
    for (const record of records) {
      const atMs = Date.parse(record.at);
      pipeline.set(k.record(record.auditId), JSON.stringify(record), 'NX');
      pipeline.zadd(k.all, atMs, record.auditId);
      pipeline.zadd(k.wallet(record.walletId), atMs, record.auditId);
      const rank = flagActionRank(record.action);
      if (record.flag && rank > 0) {
        const flag = record.flag;
        queueIndexScript(
          pipeline,
          'applyFlag',
          [k.flag(flag.flagId), k.walletFlags(flag.walletId), k.pending],
          [
            flag.flagId,
            rank,
            JSON.stringify(flag),
            Date.parse(flag.createdAt),
            flag.status === 'pending-approval' ? '1' : '0',
          ],
        );
      }
      if (record.action === 'watchlist.removed') {
        queueIndexScript(
          pipeline,
          'removeWatch',
          [k.watchlist, k.watchMentions(record.walletId), k.watchRemovals],
          [record.walletId, atMs],
        );
      }
    }
    await execOrThrow(pipeline);
  }

  /** Lists a wallet for a mention; listedAtMs is the mention's record time on its topic. */
  async applyMention(mention: WalletMention, listedAtMs: number): Promise<void> {
    const k = this.keys;
    const stored: WatchMention = {
      mentionId: mention.mentionId,
      source: mention.source,
      ...(mention.url !== undefined ? { url: mention.url } : {}),
      ...(mention.note !== undefined ? { note: mention.note } : {}),
      seenAt: mention.seenAt,
      listedAtMs,
      expiresAtMs: mention.expiresAt ? Date.parse(mention.expiresAt) : listedAtMs + this.watchlistTtlMs,
    };
    await runIndexScript(
      this.redis,
      'addWatchMention',
      [k.watchlist, k.watchMentions(mention.walletId), k.watchRemovals],
      [mention.walletId, mention.mentionId, JSON.stringify(stored), listedAtMs],
    );
  }

  async flag(flagId: string): Promise<WalletFlag | null> {
    const json = await this.redis.hget(this.keys.flag(flagId), 'json');
    return json === null ? null : (JSON.parse(json) as WalletFlag);
  }

  /** The wallet's flags, newest first, in every status. */
  async walletFlags(walletId: string): Promise<WalletFlag[]> {
    return this.flagsOf(await this.redis.zrevrange(this.keys.walletFlags(walletId), 0, -1));
  }

  /** Requests waiting for a second principal, oldest first. */
  async pendingFlags(): Promise<WalletFlag[]> {
    const flags = await this.flagsOf(await this.redis.zrange(this.keys.pending, 0, -1));
    return flags.filter((flag) => flag.status === 'pending-approval');
  }

  async audit(query: AuditQuery): Promise<{ records: AuditRecord[]; nextCursor: string | null }> {
    const { items, nextCursor } = await pageNewestFirst<AuditRecord>(this.redis, {
      key: query.walletId ? this.keys.wallet(query.walletId) : this.keys.all,
      fromMs: query.fromMs,
      toMs: query.toMs,
      cursor: query.cursor,
      limit: query.limit,
      load: async (ids) => {
        const raws = await this.redis.mget(ids.map((id) => this.keys.record(id)));
        return raws.map((raw) => (raw === null ? null : (JSON.parse(raw) as AuditRecord)));
      },
    });
    return { records: items, nextCursor };
  }

  /** Listed wallets with the mentions in force now, earliest listing first. */
  async watchlist(): Promise<{ walletId: string; mentions: WatchMention[] }[]> {
    const wallets = await this.redis.zrange(this.keys.watchlist, 0, -1);
    const all = await this.mentionsOf(wallets);
    return wallets
      .map((walletId, i) => ({ walletId, mentions: all[i]! }))
      .filter((entry) => entry.mentions.length > 0);
  }

  async watchMentions(walletId: string): Promise<WatchMention[]> {
    return (await this.mentionsOf([walletId]))[0]!;
  }

  /** Runs `action` while holding the flag's lock; null when another action holds it. */
  async withFlagLock<T>(flagId: string, action: () => Promise<T>): Promise<{ value: T } | null> {
    const key = this.keys.flagLock(flagId);
    const token = randomUUID();
    const acquired = await this.redis.set(key, token, 'PX', 30_000, 'NX');
    if (acquired !== 'OK') return null;
    try {
      return { value: await action() };
    } finally {
      await runIndexScript(this.redis, 'releaseLock', [key], [token]).catch((error: unknown) => {
        this.logger.warn({ err: error, flagId }, 'flag lock not released; it expires by itself');
      });
    }
  }

  private async flagsOf(flagIds: string[]): Promise<WalletFlag[]> {
    if (flagIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const flagId of flagIds) pipeline.hget(this.keys.flag(flagId), 'json');
    const jsons = (await execOrThrow(pipeline)) as (string | null)[];
    return jsons
      .filter((json): json is string => json !== null)
      .map((json) => JSON.parse(json) as WalletFlag);
  }

  private async mentionsOf(walletIds: string[]): Promise<WatchMention[][]> {
    if (walletIds.length === 0) return [];
    const now = this.now();
    const pipeline = this.redis.pipeline();
    for (const walletId of walletIds) pipeline.hvals(this.keys.watchMentions(walletId));
    const values = (await execOrThrow(pipeline)) as string[][];
    return values.map((jsons) =>
      jsons
        .map((json) => JSON.parse(json) as WatchMention)
        .filter((mention) => mention.expiresAtMs > now)
        .sort((a, b) => a.listedAtMs - b.listedAtMs || a.mentionId.localeCompare(b.mentionId)),
    );
  }

  private skip(batch: MaterializedBatch, offset: string, reason: string | undefined): void {
    this.logger.warn(
      { topic: batch.topic, partition: batch.partition, offset, reason },
      'audit index skips a record',
    );
  }
}
