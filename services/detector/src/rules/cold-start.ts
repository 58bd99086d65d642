// What FlowGuard knows of a wallet's past. It watches a wallet from the stream's start (or from the
// wallet's opening, when that is later): a wallet older than what FlowGuard has watched has a past it
// never saw, and while that watched span is short its own baseline is unknown. The rules then judge
// it on what needs no baseline (cold start) instead of staying silent.
import { HOUR_MS } from '../domain/time.js';
import { atLeast, atMost, round } from './rule-params.js';
import type { EvidenceItem } from '../../../../schemas/alert.js';
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

export interface OwnPast {
  /** From when FlowGuard has watched the wallet: its opening (or first event) if its whole life is here, else the stream's start. */
  watchedFromMs: number;
  /** How long FlowGuard had watched it before the moment asked about. */
  watchedMs: number;
  /** FlowGuard has seen the wallet's whole life. */
  wholeLife: boolean;
  /** Its own baseline can be trusted: its whole life was watched, or at least `minOwnHistory` of it. */
  baselineKnown: boolean;
}

/**
 * What FlowGuard has watched of the wallet before `beforeMs` (usually the start of the window under
 * test). A wallet FlowGuard watched without seeing an event was quiet: those hours count as its normal.
 */
export function ownPast(input: RuleInput, beforeMs: number, minOwnHistoryMs: number): OwnPast {
  const s = input.wallet.state;
  const wholeLife = couldHaveSeenItsPast(input);
  const watchedFromMs = wholeLife
    ? Math.min(s.openedAtMs ?? s.firstSeenMs, s.firstSeenMs)
    : Math.min(input.streamStartMs, s.firstSeenMs);
  const watchedMs = Math.max(0, beforeMs - watchedFromMs);
  return { watchedFromMs, watchedMs, wholeLife, baselineKnown: wholeLife || watchedMs >= minOwnHistoryMs };
}

/**
 * Whether a wallet whose baseline is unknown may be judged without it: only when the processor says it
 * was opened at most `maxAgeMs` ago, so the past FlowGuard missed is short. A wallet that has taken
 * donations for years (a charity, a shop whose customers pay by transfer) looks like a campaign on the
 * day FlowGuard starts; it waits for minOwnHistory of its own. No limit: every wallet is judged.
 */
export function judgedInColdStart(input: RuleInput, maxAgeMs: number | undefined): boolean {
  if (maxAgeMs === undefined) return true;
  return input.wallet.state.openedAtMs !== null && walletAgeMs(input) <= maxAgeMs;
}

/**
 * The evidence lines that say how much of the wallet's own past the judgement rests on: the hours
 * watched against minOwnHistory, and in a cold start the opening time that allowed judging without it.
 */
export function ownPastEvidence(
  rule: string,
  input: RuleInput,
  past: OwnPast,
  minOwnHistoryMs: number,
  coldStartMaxAgeMs?: number,
): EvidenceItem[] {
  if (past.wholeLife) return [{ rule, feature: 'ownBaseline', value: 'whole life watched' }];
  const hours = round(past.watchedMs / HOUR_MS, 1);
  const threshold = minOwnHistoryMs / HOUR_MS;
  if (past.baselineKnown) return [atLeast(rule, 'hoursWatched', hours, threshold, { unit: 'hours' })];
  // Cold start: the judgement rests on what needs no baseline; say so, with how little was watched.
  const lines: EvidenceItem[] = [
    { rule, feature: 'hoursWatched', value: hours, threshold, comparison: '<', unit: 'hours' },
  ];
  if (coldStartMaxAgeMs !== undefined) {
    lines.push(
      atMost(
        rule,
        'coldStartWalletAgeHours',
        round(walletAgeMs(input) / HOUR_MS),
        coldStartMaxAgeMs / HOUR_MS,
        {
          unit: 'hours',
        },
      ),
    );
  }
  return lines;
}
