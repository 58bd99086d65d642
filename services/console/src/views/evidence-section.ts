// Every evidence line of an alert as a table: what was measured, its value, how it compares with the
// rule's threshold, and over which window. Lines without a threshold are context (e.g. the flagged
// wallet a replacement shares payers with).
import type { Alert, EvidenceItem } from '../../../../schemas/alert.js';
import { el } from '../dom.js';
import { comparisonSign, evidenceValue, featureName, windowName } from '../format.js';
import { section } from './parts.js';

export function evidenceSection(alert: Alert): HTMLElement {
  const rows = alert.evidence.map((item) =>
    el(
      'tr',
      { class: item.threshold === undefined ? 'context' : 'test' },
      el('td', {}, item.rule),
      el('th', { scope: 'row' }, featureName(item.feature)),
      el('td', { class: 'number' }, evidenceValue(item.value, item.unit)),
      el('td', { class: 'comparison' }, comparisonCell(item)),
      el(
        'td',
        { class: 'number' },
        item.threshold === undefined ? '—' : evidenceValue(item.threshold, item.unit),
      ),
      el('td', {}, windowName(item.window) || '—'),
    ),
  );
  return section(
    'Evidence',
    'evidence',
    el(
      'table',
      { class: 'evidence-table' },
      el('caption', { class: 'visually-hidden' }, `Evidence of alert ${alert.alertId}, one line per measure`),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Rule', 'Measure', 'Value', 'Test', 'Threshold', 'Window'].map((text) =>
            el('th', { scope: 'col' }, text),
          ),
        ),
      ),
      el('tbody', {}, rows),
    ),
  );
}

/** "≥" with words for screen readers: "value at least threshold". */
function comparisonCell(item: EvidenceItem): HTMLElement | string {
  const sign = comparisonSign(item);
  if (!sign) return '—';
  const words: Record<string, string> = {
    '≥': 'at least',
    '≤': 'at most',
    '>': 'more than',
    '<': 'less than',
    '=': 'equal to',
  };
  return el(
    'span',
    { title: words[sign] ?? sign },
    el('span', { 'aria-hidden': 'true' }, sign),
    el('span', { class: 'visually-hidden' }, words[sign] ?? sign),
  );
}
