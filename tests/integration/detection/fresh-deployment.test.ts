// Day one of a deployment on the real stack (issue 10, item 2): FlowGuard starts with the stream, a
// day of ordinary traffic, then the typologies it used to miss — a slow campaign into a wallet opened
// ten days earlier and a mule opened days before the stream — are caught on their first day, while a
// new café's first card purchases (and an old shop paid by transfer) stay quiet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { deposit, HOUR, iso, MINUTE, transfer, uniqueId, withdrawal } from '../../support/events.js';
import { startTestDetector, type TestDetector } from '../../support/test-detector.js';
import { readTopicToEnd } from '../../support/topic-to-end.js';

const DAY = 24 * HOUR;
const NOW = Date.now();
/** FlowGuard starts with the stream: its first events are this old. */
const STREAM_START = NOW - 40 * HOUR;

function ordinaryDay(wallets: number): TransactionEventInput[] {
  return Array.from({ length: wallets }, (_, w) => {
    const at = STREAM_START + ((w * 37) % 600) * MINUTE;
    return [
      deposit(`w-person-${w}`, at, { amount: `${500 + (w % 40) * 50}.00`, fromRef: `card-own-${w}` }),
      transfer(`w-person-${w}`, `w-person-${(w + 7) % wallets}`, at + 2 * HOUR, { amount: '400.00' }),
    ];
  }).flat();
}

describe('a fresh deployment, day one', () => {
  let t: TestDetector;
  let alerts: Alert[] = [];

  // About a hundred card payers over a day, into a wallet the processor says is ten days old.
  const slowOpened = iso(STREAM_START - 10 * DAY);
  const slowStart = NOW - 22 * HOUR;
  const slow = Array.from({ length: 100 }, (_, i) =>
    deposit('w-slow', slowStart + i * 13 * MINUTE, {
      amount: `${200 + ((i * 53) % 500)}.00`,
      fromRef: `card-slow-${i}`,
      toWalletCreatedAt: slowOpened,
    }),
  );
  // A mule opened five days before the stream: twenty large transfers in two hours, 95% out soon after.
  const muleStart = NOW - 6 * HOUR;
  const muleOpened = iso(STREAM_START - 5 * DAY);
  const muleIn = Array.from({ length: 20 }, (_, i) =>
    transfer(`w-person-${100 + i}`, 'w-mule', muleStart + i * 6 * MINUTE, {
      amount: `${8000 + i * 500}.00`,
      toWalletCreatedAt: muleOpened,
    }),
  );
  const muleOut = [
    withdrawal('w-mule', muleStart + 3 * HOUR, { amount: '120000.00', fromWalletCreatedAt: muleOpened }),
    withdrawal('w-mule', muleStart + 3 * HOUR + 20 * MINUTE, {
      amount: '133000.00',
      fromWalletCreatedAt: muleOpened,
    }),
  ];
  // A café opened an hour before its first sale: 150 card purchases, some from returning customers.
  const cafeOpened = NOW - 13 * HOUR;
  const cafe: TransactionEventInput[] = Array.from({ length: 150 }, (_, i) => ({
    eventId: uniqueId('cafe'),
    occurredAt: iso(cafeOpened + HOUR + i * 4 * MINUTE),
    type: 'payment' as const,
    amount: `${120 + ((i * 31) % 400)}.00`,
    currency: 'RUB',
    fromRef: `card-cafe-${i % 5 === 0 ? i - 5 : i}`,
    toWalletId: 'w-cafe',
    toWalletCreatedAt: iso(cafeOpened),
    channel: 'card',
  }));
  // An old shop whose customers pay it by transfer: on FlowGuard's first day it looks like a crowd.
  const shopOpened = iso(STREAM_START - 800 * DAY);
  const oldShop = Array.from({ length: 120 }, (_, i) =>
    deposit('w-old-shop', STREAM_START + HOUR + i * 6 * MINUTE, {
      amount: `${150 + ((i * 17) % 600)}.00`,
      fromRef: `card-shop-${i}`,
      toWalletCreatedAt: shopOpened,
    }),
  );

  beforeAll(async () => {
    t = await startTestDetector();
    const all = [...ordinaryDay(400), ...slow, ...muleIn, ...muleOut, ...cafe, ...oldShop].sort((a, b) =>
      a.occurredAt.localeCompare(b.occurredAt),
    );
    await t.send(all);
    await t.caughtUp(120_000);
    alerts = (await readTopicToEnd(t.kafka, t.admin, t.config.kafka.alertsTopic)).map(
      (r) => JSON.parse(r.value) as Alert,
    );
  }, 180_000);
  afterAll(async () => t?.stop());

  const alertsOf = (walletId: string) => alerts.filter((a) => a.walletId === walletId);

  it('catches the slow campaign on its first day, judged without a baseline it cannot have', () => {
    const first = alertsOf('w-slow')[0];
    expect(first?.rules).toContain('slow-campaign-fan-in');
    const evidence = Object.fromEntries(
      first!.evidence.filter((e) => e.rule === 'slow-campaign-fan-in').map((e) => [e.feature, e]),
    );
    expect(evidence.hoursWatched).toMatchObject({ comparison: '<', threshold: 24 });
    expect(evidence.coldStartWalletAgeHours!.value).toBeGreaterThan(10 * 24);
    expect(first!.summary).toMatch(/its own normal is not known yet/);
  });

  it('catches the mule opened days before the stream', () => {
    expect(alertsOf('w-mule').flatMap((a) => a.rules)).toContain('pass-through');
  });

  it("keeps the new café's first card purchases, the old shop and ordinary wallets quiet", () => {
    expect(new Set(alerts.map((a) => a.walletId))).toEqual(new Set(['w-slow', 'w-mule']));
  });
});
