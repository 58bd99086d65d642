// The alert index: every alert of the alerts topic (read_committed) by id, and by time per wallet, rule
// and severity, so GET /v1/alerts can filter and page without reading the topic. Rebuildable from it.
import type { Logger } from 'pino';
import { AlertSchema, type Alert, type Severity } from '../../../../../schemas/alert.js';
import type { RedisClient } from '../../redis/redis-connection.js';
import type { AlertKeys } from './index-keys.js';
import { execOrThrow, recordJson, type RedisPipeline } from './record-values.js';
import type { MaterializedBatch } from './topic-materializer.js';
import { pageNewestFirst } from './zset-pages.js';

export interface AlertQuery {
  walletId?: string | undefined;
  rule?: string | undefined;
  severity?: Severity | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface WatchHits {
  count: number;
  lastAlertId: string | null;
  lastAlertAtMs: number | null;
}

export class AlertIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: AlertKeys,
    private readonly retentionMs: number,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Indexes a batch of alert records; a record that is not an alert is logged and skipped. */
  async applyBatch(batch: MaterializedBatch): Promise<number> {
    const alerts: Alert[] = [];
    for (const message of batch.messages) {
      const alert = AlertSchema.safeParse(recordJson(message));
      if (alert.success) alerts.push(alert.data);
      else
        this.logger.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            reason: alert.error.issues[0]?.message,
          },
          'alert index skips a record that is not an alert',
        );
    }
    await this.index(alerts);
    return alerts.length;
  }

  async index(alerts: Alert[]): Promise<void> {
    if (alerts.length === 0) return;
    const k = this.keys;
    const now = this.now();
    const oldest = now - this.retentionMs;
    const pipeline = this.redis.pipeline();
    for (const alert of alerts) {
      const atMs = Date.parse(alert.detectedAt);
      const ttlMs = atMs + this.retentionMs - now;
      if (ttlMs <= 0) continue;
      // The same alertId read again (a replay, a rebuild) writes the same entries: nothing doubles.
      pipeline.set(k.alert(alert.alertId), JSON.stringify(alert), 'PX', ttlMs);
      pipeline.zadd(k.all, atMs, alert.alertId);
      pipeline.zadd(k.wallet(alert.walletId), atMs, alert.alertId);
      extendExpiry(pipeline, k.wallet(alert.walletId), ttlMs);
      for (const rule of alert.rules) pipeline.zadd(k.rule(rule), atMs, alert.alertId);
      pipeline.zadd(k.severity(alert.severity), atMs, alert.alertId);
      if (alert.watchlist?.length) {
        pipeline.zadd(k.watchHits(alert.walletId), atMs, alert.alertId);
        extendExpiry(pipeline, k.watchHits(alert.walletId), ttlMs);
      }
    }
    // Members older than the retention point at alerts that expired: trim them where they accumulate.
    const trimmed = new Set<string>([k.all]);
    for (const alert of alerts) {
      for (const rule of alert.rules) trimmed.add(k.rule(rule));
      trimmed.add(k.severity(alert.severity));
      trimmed.add(k.wallet(alert.walletId));
    }
    for (const key of trimmed) pipeline.zremrangebyscore(key, '-inf', `(${oldest}`);
    await execOrThrow(pipeline);
  }

  async get(alertId: string): Promise<Alert | null> {
    const raw = await this.redis.get(this.keys.alert(alertId));
    return raw === null ? null : (JSON.parse(raw) as Alert);
  }

  async list(query: AlertQuery): Promise<{ alerts: Alert[]; nextCursor: string | null }> {
    const k = this.keys;
    // Walk the most selective set; the other filters are checked on each alert.
    const key = query.walletId
      ? k.wallet(query.walletId)
      : query.rule
        ? k.rule(query.rule)
        : query.severity
          ? k.severity(query.severity)
          : k.all;
    const { items, nextCursor } = await pageNewestFirst<Alert>(this.redis, {
      key,
      fromMs: query.fromMs,
      toMs: query.toMs,
      cursor: query.cursor,
      limit: query.limit,
      load: (ids) => this.load(ids),
      keep: (alert) =>
        (!query.walletId || alert.walletId === query.walletId) &&
        (!query.rule || alert.rules.includes(query.rule)) &&
        (!query.severity || alert.severity === query.severity),
    });
    return { alerts: items, nextCursor };
  }

  async recent(walletId: string, count: number): Promise<Alert[]> {
    return (await this.list({ walletId, limit: count })).alerts;
  }

  /** Alerts citing the watchlist on each wallet since it was listed. */
  async watchHits(wallets: { walletId: string; sinceMs: number }[]): Promise<WatchHits[]> {
    if (wallets.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const { walletId, sinceMs } of wallets) {
      pipeline.zcount(this.keys.watchHits(walletId), sinceMs, '+inf');
      pipeline.zrevrangebyscore(this.keys.watchHits(walletId), '+inf', sinceMs, 'WITHSCORES', 'LIMIT', 0, 1);
    }
    const results = await execOrThrow(pipeline);
    return wallets.map((_, i) => {
      const count = Number(results[2 * i]);
      const last = results[2 * i + 1] as string[];
      return {
        count,
        lastAlertId: last[0] ?? null,
        lastAlertAtMs: last[1] === undefined ? null : Number(last[1]),
      };
    });
  }

  private async load(ids: string[]): Promise<(Alert | null)[]> {
    const raws = await this.redis.mget(ids.map((id) => this.keys.alert(id)));
    return raws.map((raw) => (raw === null ? null : (JSON.parse(raw) as Alert)));
  }
}

/** Sets an expiry on a key that has none, or pushes a later one; never shortens it. */
function extendExpiry(pipeline: RedisPipeline, key: string, ttlMs: number): void {
  pipeline.pexpire(key, ttlMs, 'NX');
  pipeline.pexpire(key, ttlMs, 'GT');
}
