// How numbers, times and evidence read on screen. Times are shown in the analyst's local zone with the
// ISO instant in the title, so two analysts can compare them.
import type { EvidenceItem } from '../../../schemas/alert.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-20 14:03" in the local zone. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "11-20 14:00", for chart ticks. */
export function shortHour(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:00`;
}

/** "5 min ago", "3 h ago", "2 days ago". */
export function timeAgo(iso: string, now: number): string {
  const ms = now - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return '';
  if (ms < MINUTE) return 'just now';
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min ago`;
  if (ms < 2 * DAY) return `${Math.round(ms / HOUR)} h ago`;
  return `${Math.round(ms / DAY)} days ago`;
}

/** An age in hours as people say it: "40 min", "5 h", "12 days". */
export function duration(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 72) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} days`;
}

const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export function number(value: number): string {
  return numbers.format(value);
}

/** "1 payment", "3 payments". */
export function count(value: number, noun: string): string {
  return `${numbers.format(value)} ${noun}${value === 1 ? '' : 's'}`;
}

export function money(value: number, currency: string): string {
  return `${numbers.format(value)} ${currency}`;
}

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

const COMPARISONS: Record<string, string> = { '>=': '≥', '<=': '≤', '>': '>', '<': '<', '=': '=' };

/** The comparison as the analyst reads it: "≥", or "" when the line states a fact without a threshold. */
export function comparisonSign(item: EvidenceItem): string {
  return item.comparison ? (COMPARISONS[item.comparison] ?? item.comparison) : '';
}

export function evidenceValue(value: number | string, unit: string | undefined): string {
  const text = typeof value === 'number' ? number(value) : value;
  return unit ? `${text} ${unit}` : text;
}

/** "distinctPayers" → "distinct payers". */
export function featureName(feature: string): string {
  return feature
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
}

/** "24h" → "last 24 h", "lifetime" → "lifetime". */
export function windowName(window: string | undefined): string {
  if (!window) return '';
  const match = /^(\d+)(m|h|d)$/.exec(window);
  if (!match) return window;
  const unit = { m: 'min', h: 'h', d: 'days' }[match[2] as 'm' | 'h' | 'd'];
  return `last ${match[1]} ${unit}`;
}
