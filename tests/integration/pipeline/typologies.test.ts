// The default rules on the real pipeline: the campaign, its replacement wallet and a mule raise the
// expected alerts among thousands of ordinary wallets and established merchants, which raise none
// (not even on FlowGuard's first day, though their customers' money comes in as deposits).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { campaign, deposit, HOUR, iso, MINUTE, transfer, withdrawal } from '../../support/events.js';
import { settle, startTestDetector, type TestDetector } from '../../support/test-detector.js';

const DAY = 24 * HOUR;
const NOW = Date.now();
const START = NOW - 15 * DAY;

function merchants(count: number): TransactionEventInput[] {
  const events: TransactionEventInput[] = [];
  for (let m = 0; m < count; m++) {
    for (let day = 0; day < 15; day++) {
      // ~8 payments an hour from 09:00 to 21:00, from a customer base that keeps coming back.
      for (let i = 0; i < 96; i++) {
        const at = START + day * DAY + 9 * HOUR + i * 7.5 * MINUTE + m * 1000;
        if (at > NOW) break;
        events.push(
          deposit(`merchant-${m}`, at, {
            amount: `${150 + ((i * 53 + day) % 600)}.00`,
            fromRef: `cust-${m}-${(i * 31 + day * 7) % 400}`,
            toWalletCreatedAt: iso(START - 400 * DAY),
          }),
        );
      }
    }
  }
  return events;
}

function ordinary(count: number): TransactionEventInput[] {
  const events: TransactionEventInput[] = [];
  for (let w = 0; w < count; w++) {
    const at = NOW - 20 * HOUR + (w % 1000) * 60_000;
    events.push(deposit(`ord-${w}`, at, { amount: `${800 + (w % 50) * 30}.00`, fromRef: `card-of-${w}` }));
    events.push(transfer(`ord-${w}`, `ord-${(w + 13) % count}`, at + 2 * HOUR, { amount: '300.00' }));
  }
  return events;
}

describe('typologies among ordinary traffic (default rules)', () => {
  let t: TestDetector;
  let alerts: Alert[] = [];
  const campaignStart = NOW - 10 * HOUR;
  const first = campaign('w-campaign', campaignStart, 150, MINUTE);
  // The replacement opens after the first wallet is blocked; 60% of its donors paid the first one.
  const replacement = Array.from({ length: 60 }, (_, i) =>
    deposit('w-replacement', campaignStart + 4 * HOUR + i * MINUTE, {
      amount: '350.00',
      fromRef: i % 5 < 3 ? `donor-w-campaign-${i * 2}` : `new-donor-${i}`,
      toWalletCreatedAt: iso(campaignStart + 3 * HOUR),
    }),
  );
  const muleStart = NOW - 6 * HOUR;
  const mule = [
    ...Array.from({ length: 8 }, (_, i) =>
      transfer(`ord-${100 + i}`, 'w-mule', muleStart + i * 5 * MINUTE, { amount: '9000.00' }),
    ),
    withdrawal('w-mule', muleStart + 2 * HOUR, { amount: '40000.00' }),
    withdrawal('w-mule', muleStart + 2 * HOUR + 10 * MINUTE, { amount: '28000.00' }),
  ];

  beforeAll(async () => {
    t = await startTestDetector();
    const byTime = (a: TransactionEventInput, b: TransactionEventInput) =>
      a.occurredAt.localeCompare(b.occurredAt);
    await t.send([...merchants(3), ...ordinary(2000), ...first].sort(byTime));
    await t.caughtUp(120_000);
    // The replacement appears after the first wallet was alerted (and blocked), as in the seed case.
    await t.send([...replacement, ...mule].sort(byTime));
    await t.caughtUp(60_000);
    await settle(1500);
    alerts = t.alerts.records.map((r) => JSON.parse(r.value) as Alert);
  }, 180_000);
  afterAll(async () => t?.stop());

  const rulesOf = (walletId: string) =>
    new Set(alerts.filter((a) => a.walletId === walletId).flatMap((a) => a.rules));

  it('alerts only the campaign, its replacement and the mule', () => {
    expect(new Set(alerts.map((a) => a.walletId))).toEqual(
      new Set(['w-campaign', 'w-replacement', 'w-mule']),
    );
  });

  it('flags the campaign at fifty donors (above any collection among friends), then escalates once', () => {
    const mine = alerts.filter((a) => a.walletId === 'w-campaign');
    expect(mine[0]!.rules).toEqual(['crowdfunding-fan-in', 'young-wallet-fan-in']);
    expect(mine[0]!.eventTime).toBe(first[49]!.occurredAt);
    // Sixty donors within the day: the slow-campaign view agrees, one more alert naming the first.
    expect(rulesOf('w-campaign')).toEqual(
      new Set(['young-wallet-fan-in', 'crowdfunding-fan-in', 'slow-campaign-fan-in']),
    );
    expect(mine).toHaveLength(2);
    expect(mine[1]!.previousAlertId).toBe(mine[0]!.alertId);
  });

  it('recognises the replacement wallet by its shared donors', () => {
    const mine = alerts.filter((a) => a.walletId === 'w-replacement');
    const replacementAlert = mine.find((a) => a.rules.includes('replacement-wallet'))!;
    expect(replacementAlert.relatedWalletIds).toEqual(['w-campaign']);
    expect(replacementAlert.evidence.find((e) => e.feature === 'sharedPayers')!.value).toBeGreaterThanOrEqual(
      5,
    );
    expect(replacementAlert.summary).toMatch(/also paid flagged wallet w-campaign/);
  });

  it('flags the money passed straight through', () => {
    expect(rulesOf('w-mule')).toEqual(new Set(['pass-through']));
  });
});
