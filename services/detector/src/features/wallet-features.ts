// The features one wallet has after an update, as the rules read them.
import type { WindowSpec } from '../config.js';

export type UpdateStatus = 'applied' | 'duplicate' | 'beyond-retention' | 'beyond-dedup-horizon';
const STATUSES: UpdateStatus[] = ['applied', 'duplicate', 'beyond-retention', 'beyond-dedup-horizon'];

export interface WindowFeatures {
  inCount: number;
  inSum: number;
  smallInCount: number;
  nearThresholdInCount: number;
  inMax: number;
  outCount: number;
  outSum: number;
  distinctPayers: number;
  /** -1 on an inbound update (only outbound rules read it). */
  distinctPayees: number;
  startMs: number;
}

export interface WalletFeatures {
  walletId: string;
  status: UpdateStatus;
  firstSeenMs: number;
  openedAtMs: number | null;
  lastEventMs: number;
  lifetime: { inCount: number; inMean: number; inVariance: number; outCount: number };
  /** Payers in the capped set; only computed when `overlap` is set (-1 otherwise). */
  payersHeld: number;
  /** Only in the REST view (-1 on the hot path: no rule reads it). */
  payeesHeld: number;
  /** The flagged wallet that shares most payers with this one. */
  overlap: { walletId: string; sharedPayers: number } | null;
  alertPending: boolean;
  /** Set once the wallet was alerted by a seeding rule or flagged by an analyst: its payers are donors. */
  flaggedAtMs: number | null;
  windows: Record<string, WindowFeatures>;
}

const HEADER_LENGTH = 14;
const PER_WINDOW = 10;

/** Parses the flat array returned by update-wallet-7.lua (see its header for the layout). */
export function parseWalletSnapshot(walletId: string, raw: unknown[], windows: WindowSpec[]): WalletFeatures {
  const n = (i: number) => Number(raw[i]);
  const inCount = n(4);
  const m2 = n(6);
  const features: WalletFeatures = {
    walletId,
    status: STATUSES[n(0)] ?? 'applied',
    firstSeenMs: n(1),
    openedAtMs: n(2) >= 0 ? n(2) : null,
    lastEventMs: n(3),
    lifetime: { inCount, inMean: n(5), inVariance: inCount > 1 ? m2 / (inCount - 1) : 0, outCount: n(7) },
    payersHeld: n(8),
    payeesHeld: n(9),
    overlap: raw[10] ? { walletId: String(raw[10]), sharedPayers: n(11) } : null,
    alertPending: n(12) === 1,
    flaggedAtMs: n(13) >= 0 ? n(13) : null,
    windows: {},
  };
  windows.forEach((w, index) => {
    const at = HEADER_LENGTH + index * PER_WINDOW;
    features.windows[w.name] = {
      inCount: n(at),
      inSum: n(at + 1),
      smallInCount: n(at + 2),
      nearThresholdInCount: n(at + 3),
      inMax: n(at + 4),
      outCount: n(at + 5),
      outSum: n(at + 6),
      distinctPayers: n(at + 7),
      distinctPayees: n(at + 8),
      startMs: n(at + 9),
    };
  });
  return features;
}

/** Age of the wallet at a moment: from its opening time when known, else from the first event seen. */
export function walletAgeMs(features: WalletFeatures, atMs: number): number {
  return Math.max(0, atMs - (features.openedAtMs ?? features.firstSeenMs));
}
