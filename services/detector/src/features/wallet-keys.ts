// Redis key names. Every key of one wallet shares the hash tag {walletId}, so one script touches one
// Redis Cluster slot; cross-wallet facts are keyed by the payer under the payer's own tag.

export interface WalletKeys {
  meta: string;
  buckets: string;
  payers: string;
  payees: string;
  seen: string;
  payerHll: string;
  alerts: string;
  alertLog: string;
  outbox: string;
}

export function walletKeys(prefix: string, walletId: string): WalletKeys {
  const base = `${prefix}:{w:${walletId}}`;
  return {
    meta: `${base}:meta`,
    buckets: `${base}:buckets`,
    payers: `${base}:payers`,
    payees: `${base}:payees`,
    seen: `${base}:seen`,
    payerHll: `${base}:payer-hll`,
    alerts: `${base}:alerts`,
    alertLog: `${base}:alert-log`,
    outbox: `${base}:outbox`,
  };
}

/** Flagged wallets this payer has paid: ZSET walletId → time it was flagged. */
export function payerFlaggedPayeesKey(prefix: string, payer: string): string {
  return `${prefix}:{p:${payer}}:flagged-payees`;
}
