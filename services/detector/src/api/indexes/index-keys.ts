// Redis keys of the API's indexes. Each index shares one hash tag ({alerts}, {audit}) so its scripts
// and multi-key reads work on Redis Cluster; everything under them can be rebuilt from Kafka.

export type AlertKeys = ReturnType<typeof alertKeys>;
export type AuditKeys = ReturnType<typeof auditKeys>;

export function alertKeys(prefix: string) {
  const tag = `${prefix}:{alerts}`;
  return {
    /** The index's epoch: gone means Redis lost the index, which is then rebuilt from the topic. */
    epoch: `${tag}:epoch`,
    /** The alert JSON, expiring with ALERT_INDEX_RETENTION. */
    alert: (alertId: string) => `${tag}:a:${alertId}`,
    /** zsets of alertIds by detectedAt ms: all, per wallet, per rule, per severity. */
    all: `${tag}:all`,
    wallet: (walletId: string) => `${tag}:w:${walletId}`,
    rule: (ruleId: string) => `${tag}:r:${ruleId}`,
    severity: (severity: string) => `${tag}:s:${severity}`,
    /** zset of the wallet's alerts that cite the watchlist (its hits). */
    watchHits: (walletId: string) => `${tag}:wl:${walletId}`,
  };
}

export function auditKeys(prefix: string) {
  const tag = `${prefix}:{audit}`;
  return {
    epoch: `${tag}:epoch`,
    /** The audit record JSON, kept as long as the topic keeps it (forever). */
    record: (auditId: string) => `${tag}:r:${auditId}`,
    /** zsets of auditIds by `at` ms: all, per wallet. */
    all: `${tag}:all`,
    wallet: (walletId: string) => `${tag}:w:${walletId}`,
    /** A flag's furthest state (hash: rank, json). */
    flag: (flagId: string) => `${tag}:f:${flagId}`,
    /** zset of the wallet's flagIds by createdAt ms. */
    walletFlags: (walletId: string) => `${tag}:wf:${walletId}`,
    /** zset of flagIds waiting for approval, by createdAt ms. */
    pending: `${tag}:pending`,
    /** zset of listed wallets by earliest listing ms, and each wallet's mentions (hash). */
    watchlist: `${tag}:watch`,
    watchMentions: (walletId: string) => `${tag}:watch:${walletId}`,
    /** hash walletId → ms of its latest removal from the watchlist. */
    watchRemovals: `${tag}:watch-removed`,
    /** Held while one principal acts on a flag, so two reviews cannot both pass. */
    flagLock: (flagId: string) => `${tag}:lock:${flagId}`,
  };
}
