// Which alerts the queue shows: severity, rule and time go to the API (GET /v1/alerts) and are applied
// the same way to alerts arriving live; unread and open (not handled) are the analyst's own marks.
import type { Alert, Severity } from '../../../schemas/alert.js';
import type { AlertMark } from './queue-marks.js';

export const SINCE_OPTIONS = {
  '': 'any time',
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
} as const;
export type Since = keyof typeof SINCE_OPTIONS;

export const STATE_OPTIONS = { all: 'all', unread: 'unread', open: 'not handled' } as const;
export type MarkState = keyof typeof STATE_OPTIONS;

export interface QueueFilter {
  severity: Severity | '';
  rule: string;
  since: Since;
  state: MarkState;
}

export const NO_FILTER: QueueFilter = { severity: '', rule: '', since: '', state: 'all' };

const SINCE_MS: Record<Exclude<Since, ''>, number> = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 7 * 86_400_000,
  '30d': 30 * 86_400_000,
};

/** The earliest detectedAt the filter admits (ms), or null for any time. */
export function sinceMs(filter: QueueFilter, nowMs: number): number | null {
  return filter.since ? nowMs - SINCE_MS[filter.since] : null;
}

/** The GET /v1/alerts query for the filter's server-side part. */
export function alertQuery(filter: QueueFilter, nowMs: number): Record<string, string | undefined> {
  const from = sinceMs(filter, nowMs);
  return {
    severity: filter.severity || undefined,
    rule: filter.rule || undefined,
    from: from === null ? undefined : new Date(from).toISOString(),
  };
}

export function matchesServerFilter(alert: Alert, filter: QueueFilter, nowMs: number): boolean {
  const from = sinceMs(filter, nowMs);
  return (
    (!filter.severity || alert.severity === filter.severity) &&
    (!filter.rule || alert.rules.includes(filter.rule)) &&
    (from === null || Date.parse(alert.detectedAt) >= from)
  );
}

export function matchesMarks(mark: AlertMark, state: MarkState): boolean {
  if (state === 'unread') return !mark.read;
  if (state === 'open') return !mark.handled;
  return true;
}

/** Newest detection first; the id breaks ties so the order never flickers. */
export function newestFirst(a: Alert, b: Alert): number {
  const byTime = Date.parse(b.detectedAt) - Date.parse(a.detectedAt);
  return byTime !== 0 ? byTime : a.alertId < b.alertId ? 1 : a.alertId > b.alertId ? -1 : 0;
}
