// Builds NormalizedEvents and wallet sides directly (no decoding) for the state-layer tests, and the
// feature configuration those tests run under (the defaults, unless told otherwise).
import { loadConfig } from '../../services/detector/src/config/index.js';
import type { FeatureConfig } from '../../services/detector/src/config/feature-config.js';
import {
  walletSidesOf,
  type NormalizedEvent,
  type TransactionType,
  type WalletSide,
} from '../../services/detector/src/domain/transaction.js';
import {
  applySide,
  checkSide,
  recordSeen,
  type SideCheck,
} from '../../services/detector/src/state/apply-side.js';
import type { WalletState } from '../../services/detector/src/state/wallet-state.js';

export function featureConfig(env: Record<string, string> = {}): FeatureConfig {
  return loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', REDIS_URL: 'redis://127.0.0.1:9', ...env }).features;
}

/** A 52-bit fingerprint of a string (FNV-1a over two lanes); stands in for the decoder's. */
export function fingerprint(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ (c + 17), 0x01000193) >>> 0;
  }
  return (a & 0xfffff) * 2 ** 32 + b;
}

export interface EventSpec {
  eventId: string;
  type?: TransactionType;
  atMs: number;
  /** Base-currency minor units. */
  amount?: number;
  /** Wallet ids, or "ref:<id>" for outside parties. */
  from: string;
  to: string;
  fromOpenedAtMs?: number;
  toOpenedAtMs?: number;
  offset: number;
  streamKey?: string;
  partition?: number;
  /** Anything that changes the body's meaning (defaults to the amount, time, parties and type). */
  body?: string;
}

export function eventOf(spec: EventSpec): NormalizedEvent {
  const type = spec.type ?? 'deposit';
  const amount = spec.amount ?? 30_000;
  const partition = spec.partition ?? 0;
  const isWallet = (party: string) => !party.startsWith('ref:');
  return {
    eventId: spec.eventId,
    idHash: fingerprint(spec.eventId),
    bodyHash: fingerprint(spec.body ?? `${type}|${amount}|${spec.atMs}|${spec.from}|${spec.to}`),
    type,
    occurredAtMs: spec.atMs,
    amount,
    from: spec.from,
    fromWalletId: isWallet(spec.from) ? spec.from : undefined,
    to: spec.to,
    toWalletId: isWallet(spec.to) ? spec.to : undefined,
    fromOpenedAtMs: spec.fromOpenedAtMs,
    toOpenedAtMs: spec.toOpenedAtMs,
    channel: undefined,
    source: {
      topic: 'payments.transactions',
      partition,
      offset: spec.offset,
      timestampMs: spec.atMs,
      streamKey: spec.streamKey ?? `inc1/${partition}`,
    },
  };
}

/** The side of `spec`'s event that belongs to `walletId`. */
export function sideOf(walletId: string, spec: EventSpec): WalletSide {
  const side = walletSidesOf(eventOf(spec)).find((s) => s.walletId === walletId);
  if (!side) throw new Error(`event ${spec.eventId} has no side for ${walletId}`);
  return side;
}

/** Feeds sides through the duplicate check as the pipeline does; returns each side's verdict. */
export function feed(state: WalletState, sides: WalletSide[], features: FeatureConfig): SideCheck[] {
  return sides.map((side) => {
    const verdict = checkSide(state, side);
    if (verdict === 'new') applySide(state, side, features);
    else recordSeen(state, side.event.source);
    return verdict;
  });
}
