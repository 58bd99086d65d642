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

/** Bitmap of hashed payers who paid a flagged wallet: a cheap pre-filter before the exact lookup. */
export function donorFilterKey(prefix: string): string {
  return `${prefix}:{donor-filter}`;
}

const DONOR_FILTER_BITS = 2 ** 27; // 16 MiB; ~0.7% false positives with a million donors remembered

/** FNV-1a (32 bit) of the payer id, folded onto the filter's size. */
export function donorFilterBit(payer: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < payer.length; i++) {
    hash ^= payer.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DONOR_FILTER_BITS;
}
