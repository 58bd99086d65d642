// Alert state in Redis: the atomic alert decision, the outbox of unpublished alerts, analyst flags,
// and what the REST risk view reads.
import type { FeatureConfig } from '../config.js';
import { walletKeys } from '../features/wallet-keys.js';
import { runPipelined } from '../redis/pipelined.js';
import { callScript, type RedisClient } from '../redis/redis-connection.js';
import type { RuleCatalog } from '../rules/rule-catalog.js';
import type { RuleFiring } from '../scoring/severity.js';
import type { AlertDraft } from './alert-builder.js';

export interface AlertCandidate {
  walletId: string;
  eventTimeMs: number;
  windowFromMs: number;
  draft: AlertDraft;
  firing: { ruleId: string; severityRank: number; weight: number }[];
}

export interface StoredFlag {
  kind: string;
  analyst: string;
  note?: string;
  ruleId?: string;
  at: string;
}

const SAMPLE_EVENTS = 10;

export class AlertStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly features: FeatureConfig,
    private readonly alertHistory: number,
  ) {}

  /** Decides every candidate in one pipeline; returns the JSON of each new alert (null: suppressed). */
  async decide(
    candidates: AlertCandidate[],
    catalog: RuleCatalog,
    wallNowMs: number,
  ): Promise<(string | null)[]> {
    const { levels } = catalog.scoring;
    const replies = await runPipelined(
      this.redis,
      candidates.map((c) => {
        const k = walletKeys(this.prefix, c.walletId);
        return {
          key: k.alerts,
          add: (p) =>
            callScript(
              p,
              'decideAlert',
              [k.alerts, k.alertLog, k.outbox, k.seen],
              [
                c.eventTimeMs,
                wallNowMs,
                catalog.alerting.cooldownMs,
                catalog.scoring.halfLifeMs,
                `${levels.medium},${levels.high},${levels.critical}`,
                c.draft.alertId,
                c.firing.map((f) => `${f.ruleId}:${f.severityRank}:${f.weight}`).join(';'),
                JSON.stringify(c.draft.body),
                this.alertHistory,
                this.features.keyTtlMs,
                c.windowFromMs,
                SAMPLE_EVENTS,
              ],
            ),
        };
      }),
    );
    return replies.map((reply) => {
      const [decision, json] = reply as [number, string?];
      return decision === 1 ? json! : null;
    });
  }

  /** Alerts decided earlier but never acknowledged by Kafka (a crash between the two). */
  async outboxOf(walletIds: string[]): Promise<string[]> {
    const replies = await runPipelined(
      this.redis,
      walletIds.map((walletId) => {
        const key = walletKeys(this.prefix, walletId).outbox;
        return { key, add: (p) => p.hvals(key) };
      }),
    );
    return replies.flatMap((reply) => reply as string[]);
  }

  async acknowledgePublished(published: { walletId: string; alertId: string }[]): Promise<void> {
    await runPipelined(
      this.redis,
      published.map(({ walletId, alertId }) => {
        const key = walletKeys(this.prefix, walletId).outbox;
        return { key, add: (p) => p.hdel(key, alertId) };
      }),
    );
  }

  async recentAlerts(walletId: string, limit: number): Promise<Record<string, unknown>[]> {
    const list = await this.redis.lrange(walletKeys(this.prefix, walletId).alertLog, 0, limit - 1);
    return list.map((json) => JSON.parse(json) as Record<string, unknown>);
  }

  async firings(walletId: string): Promise<RuleFiring[]> {
    const state = await this.redis.hgetall(walletKeys(this.prefix, walletId).alerts);
    const out: RuleFiring[] = [];
    for (const [field, value] of Object.entries(state)) {
      if (!field.startsWith('s:')) continue;
      const [weight, at] = value.split('|');
      out.push({ ruleId: field.slice(2), weight: Number(weight), firedAtMs: Number(at) });
    }
    return out;
  }

  async flags(walletId: string): Promise<StoredFlag[]> {
    const list = await this.redis.lrange(`${walletKeys(this.prefix, walletId).alerts}:flags`, 0, 49);
    return list.map((json) => JSON.parse(json) as StoredFlag);
  }

  /** Stores an analyst's flag; a false positive silences the rule (or all rules) for a while. */
  async addFlag(walletId: string, flag: StoredFlag, silenceUntilMs: number | null): Promise<void> {
    const k = walletKeys(this.prefix, walletId);
    const tx = this.redis
      .multi()
      .lpush(`${k.alerts}:flags`, JSON.stringify(flag))
      .ltrim(`${k.alerts}:flags`, 0, 49);
    if (silenceUntilMs !== null) tx.hset(k.alerts, `fp:${flag.ruleId ?? '*'}`, silenceUntilMs);
    tx.pexpire(k.alerts, this.features.keyTtlMs).pexpire(`${k.alerts}:flags`, this.features.keyTtlMs);
    await tx.exec();
  }
}
