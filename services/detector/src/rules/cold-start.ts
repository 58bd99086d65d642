// What FlowGuard can know of a wallet's past. In its first days (fewer than BASELINE_DAYS since the
// stream started) a wallet's first event here is not the wallet's first event.
import { HOUR_MS } from '../domain/time.js';
import type { RuleInput } from './rule-types.js';

/** Age of the wallet at a moment: from its opening time when known, else from the first event seen. */
export function walletAgeMs(input: RuleInput): number {
  const s = input.wallet.state;
  return Math.max(0, input.atMs - (s.openedAtMs ?? s.firstSeenMs));
}

/**
 * True when FlowGuard could have seen all of the wallet's earlier activity: it was opened after the
 * stream started, or FlowGuard had watched for BASELINE_DAYS before the wallet appeared.
 */
export function couldHaveSeenItsPast({ wallet, featureConfig, streamStartMs }: RuleInput): boolean {
  const s = wallet.state;
  if (s.openedAtMs !== null && s.openedAtMs >= streamStartMs) return true;
  return s.firstSeenMs - streamStartMs >= featureConfig.baselineDays * 24 * HOUR_MS;
}

/** The wallet's age when it is known: from its opening time, or from a first sighting that means it. */
export function knownAgeMs(input: RuleInput): number | null {
  if (input.wallet.state.openedAtMs === null && !couldHaveSeenItsPast(input)) return null;
  return walletAgeMs(input);
}

/**
 * Cold start: a wallet older than `minOwnHistoryMs` of which FlowGuard holds less than that before
 * the window, because FlowGuard itself has only just started. Its normal is unknown.
 */
export function isColdStart(input: RuleInput, windowStartMs: number, minOwnHistoryMs: number): boolean {
  const heldBeforeWindow = windowStartMs - input.wallet.state.firstSeenMs;
  return (
    heldBeforeWindow < minOwnHistoryMs && walletAgeMs(input) > minOwnHistoryMs && !couldHaveSeenItsPast(input)
  );
}
