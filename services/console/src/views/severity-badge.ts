// The severity and score of an alert as one badge: colour for the eye, words for everyone.
import type { Severity } from '../../../../schemas/alert.js';
import { el } from '../dom.js';

export function severityBadge(severity: Severity, score?: number): HTMLElement {
  const text = score === undefined ? severity : `${severity} ${Math.round(score)}`;
  return el(
    'span',
    { class: `badge severity-${severity}`, title: score === undefined ? null : `score ${score}` },
    text,
  );
}
