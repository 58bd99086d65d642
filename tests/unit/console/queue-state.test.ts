import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import {
  alertQuery,
  matchesMarks,
  matchesServerFilter,
  newestFirst,
  NO_FILTER,
} from '../../../services/console/src/queue-filter.js';
import { QueueMarks, type MarkStorage } from '../../../services/console/src/queue-marks.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

function alert(
  id: string,
  detectedAt: string,
  rules = ['crowdfunding-fan-in'],
  severity: Alert['severity'] = 'high',
): Alert {
  return {
    schemaVersion: 1,
    alertId: id,
    walletId: 'w-1',
    rules,
    severity,
    score: 60,
    detectedAt,
    eventTime: detectedAt,
    window: { from: detectedAt, to: detectedAt },
    evidence: [],
    sampleEventIds: [],
    summary: 'x',
  };
}

class MemoryStorage implements MarkStorage {
  readonly values = new Map<string, string>();
  getItem(key: string) {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.values.set(key, value);
  }
}

describe('queue filter', () => {
  it('asks the API for what the filter names, and applies the same test to live alerts', () => {
    const filter = {
      ...NO_FILTER,
      severity: 'critical' as const,
      rule: 'replacement-wallet',
      since: '24h' as const,
    };
    expect(alertQuery(filter, NOW)).toEqual({
      severity: 'critical',
      rule: 'replacement-wallet',
      from: '2026-11-19T12:00:00.000Z',
    });
    expect(alertQuery(NO_FILTER, NOW)).toEqual({ severity: undefined, rule: undefined, from: undefined });
    const fresh = alert('a', '2026-11-20T11:00:00Z', ['replacement-wallet'], 'critical');
    expect(matchesServerFilter(fresh, filter, NOW)).toBe(true);
    expect(matchesServerFilter({ ...fresh, severity: 'high' }, filter, NOW)).toBe(false);
    expect(matchesServerFilter({ ...fresh, rules: ['pass-through'] }, filter, NOW)).toBe(false);
    expect(matchesServerFilter({ ...fresh, detectedAt: '2026-11-19T11:59:59Z' }, filter, NOW)).toBe(false);
  });

  it('orders newest detection first, the id breaking ties', () => {
    const alerts = [
      alert('b', '2026-11-20T10:00:00Z'),
      alert('c', '2026-11-20T11:00:00Z'),
      alert('a', '2026-11-20T10:00:00Z'),
    ];
    expect(alerts.sort(newestFirst).map((a) => a.alertId)).toEqual(['c', 'b', 'a']);
  });

  it('tells unread and open alerts by the marks', () => {
    expect(matchesMarks({ read: false, handled: false }, 'unread')).toBe(true);
    expect(matchesMarks({ read: true, handled: false }, 'unread')).toBe(false);
    expect(matchesMarks({ read: true, handled: false }, 'open')).toBe(true);
    expect(matchesMarks({ read: true, handled: true }, 'open')).toBe(false);
    expect(matchesMarks({ read: true, handled: true }, 'all')).toBe(true);
  });
});

describe('queue marks', () => {
  it('keeps read and handled per principal across page loads', () => {
    const storage = new MemoryStorage();
    const dana = QueueMarks.forPrincipal(storage, 'key:dana');
    dana.markRead('al-1');
    dana.setHandled('al-2', true);
    const again = QueueMarks.forPrincipal(storage, 'key:dana');
    expect(again.get('al-1')).toEqual({ read: true, handled: false });
    expect(again.get('al-2')).toEqual({ read: true, handled: true });
    expect(QueueMarks.forPrincipal(storage, 'key:sam').get('al-1')).toEqual({ read: false, handled: false });
  });

  it('tells listeners of a change once, and survives unreadable storage', () => {
    const storage = new MemoryStorage();
    storage.setItem('flowguard.console.marks.key:dana', '{not json');
    const marks = QueueMarks.forPrincipal(storage, 'key:dana');
    let changes = 0;
    marks.onChange(() => (changes += 1));
    marks.markRead('al-1');
    marks.markRead('al-1');
    expect(changes).toBe(1);
  });
});
