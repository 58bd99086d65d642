// What FlowGuard can know of a wallet's past. In its first days (fewer than BASELINE_DAYS since the
// first event it ever processed) a wallet's first event here is not the wallet's first event.
import { walletAgeMs } from '../features/wallet-features.js';
import { HOUR_MS } from './rule-params.js';
import type { RuleInput } from './rule-types.js';

/**
 * True when FlowGuard could have seen all of the wallet's earlier activity: it was opened after
 * FlowGuard's first event, or FlowGuard had run for BASELINE_DAYS before the wallet appeared.
 */
export function couldHaveSeenItsPast({ features, featureConfig, streamStartMs }: RuleInput): boolean {
  if (features.openedAtMs !== null && features.openedAtMs >= streamStartMs) return true;
  return features.firstSeenMs - streamStartMs >= featureConfig.baselineDays * 24 * HOUR_MS;
}

/** The wallet's age when it is known: from its opening time, or from a first sighting that means it. */
export function knownAgeMs(input: RuleInput): number | null {
  if (input.features.openedAtMs === null && !couldHaveSeenItsPast(input)) return null;
  return walletAgeMs(input.features, input.update.event.occurredAtMs);
}

/**
 * Cold start: a wallet older than `minOwnHistoryMs` of which FlowGuard holds less than that before
 * the window, because FlowGuard itself has only just started. Its normal is unknown, so volume rules
 * wait (merchants on deployment day). A dormant wallet waking up after weeks of FlowGuard is judged.
 */
export function isColdStart(input: RuleInput, windowStartMs: number, minOwnHistoryMs: number): boolean {
  const heldBeforeWindow = windowStartMs - input.features.firstSeenMs;
  const age = walletAgeMs(input.features, input.update.event.occurredAtMs);
  return heldBeforeWindow < minOwnHistoryMs && age > minOwnHistoryMs && !couldHaveSeenItsPast(input);
}
