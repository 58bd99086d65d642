// The seed's watchlist on the real stack (issue 10, item 4): a wallet named in a fundraising post,
// through compliance's topic or POST /v1/watchlist, raises an alert on its first payment after the
// mention, citing the source(s) — whichever topic the detector happens to read first — its payers
// count as donors for the replacement rule, and an expired listing does not fire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../schemas/alert.js';
import type { WalletMention } from '../../../schemas/wallet-mention.js';
import { deposit, HOUR, MINUTE } from '../../support/events.js';
import { startTestDetector, type TestDetector } from '../../support/test-detector.js';
import { readTopicToEnd } from '../../support/topic-to-end.js';

const NOW = Date.now();
const WATCHLIST_RULE = 'watchlist-mention';

describe('the watchlist', () => {
  let t: TestDetector;

  async function mention(m: WalletMention): Promise<void> {
    const producer = t.kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: t.config.kafka.mentionsTopic,
        acks: -1,
        messages: [{ key: m.walletId, value: JSON.stringify(m) }],
      });
    } finally {
      await producer.disconnect();
    }
  }

  async function publishedAlerts(): Promise<Alert[]> {
    await t.caughtUp(60_000);
    const records = await readTopicToEnd(t.kafka, t.admin, t.config.kafka.alertsTopic);
    return records.map((r) => JSON.parse(r.value) as Alert);
  }

  const alertsOf = (alerts: Alert[], walletId: string) => alerts.filter((a) => a.walletId === walletId);

  beforeAll(async () => {
    t = await startTestDetector();
  });
  afterAll(async () => t?.stop());

  it('alerts on the first payment after a mention on the topic, citing every post, and once', async () => {
    const seenAt = NOW - 5 * HOUR;
    await mention({
      mentionId: 'vk-1',
      walletId: 'w-listed-feed',
      source: 'vk.com/club101 post 7',
      url: 'https://vk.com/wall-101_7',
      seenAt: new Date(seenAt).toISOString(),
    });
    await mention({
      mentionId: 'vk-2',
      walletId: 'w-listed-feed',
      source: 'vk.com/club202 post 9',
      seenAt: new Date(seenAt + 10 * MINUTE).toISOString(),
    });
    await t.caughtUp();
    await t.send([
      // Before the post: an ordinary top-up, no alert.
      deposit('w-listed-feed', seenAt - HOUR, { amount: '2000.00', fromRef: 'own-card' }),
      deposit('w-listed-feed', seenAt + 30 * MINUTE, { fromRef: 'donor-a' }),
      deposit('w-listed-feed', seenAt + 40 * MINUTE, { fromRef: 'donor-b' }),
    ]);
    const mine = alertsOf(await publishedAlerts(), 'w-listed-feed');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.rules).toEqual([WATCHLIST_RULE]);
    expect(mine[0]!.eventTime).toBe(new Date(seenAt + 30 * MINUTE).toISOString());
    expect(mine[0]!.watchlist!.map((w) => w.source)).toEqual([
      'vk.com/club101 post 7',
      'vk.com/club202 post 9',
    ]);
    expect(mine[0]!.watchlist![0]!.url).toBe('https://vk.com/wall-101_7');
    expect(mine[0]!.summary).toMatch(
      /named in 2 public post\(s\) \(vk.com\/club101 post 7; vk.com\/club202 post 9\)/,
    );
  });

  it('alerts when the mention is read after the payment it precedes', async () => {
    const seenAt = NOW - 3 * HOUR;
    await t.send([deposit('w-listed-late', seenAt + 20 * MINUTE, { fromRef: 'donor-c' })]);
    await t.caughtUp();
    expect(alertsOf(await publishedAlerts(), 'w-listed-late')).toEqual([]);
    await mention({
      mentionId: 'tg-1',
      walletId: 'w-listed-late',
      source: 't.me/sbor1234/56',
      seenAt: new Date(seenAt).toISOString(),
    });
    const mine = alertsOf(await publishedAlerts(), 'w-listed-late');
    expect(mine.map((a) => a.rules)).toEqual([[WATCHLIST_RULE]]);
    expect(mine[0]!.eventTime).toBe(new Date(seenAt + 20 * MINUTE).toISOString());
    expect(mine[0]!.watchlist![0]!.mentionId).toBe('tg-1');
  });

  it('does not fire for a listing past its expiry', async () => {
    const seenAt = NOW - 10 * HOUR;
    await mention({
      mentionId: 'vk-old',
      walletId: 'w-listed-expired',
      source: 'vk.com/club303 post 1',
      seenAt: new Date(seenAt).toISOString(),
      expiresAt: new Date(seenAt + HOUR).toISOString(),
    });
    await t.caughtUp();
    await t.send([deposit('w-listed-expired', seenAt + 2 * HOUR, { fromRef: 'donor-d' })]);
    expect(alertsOf(await publishedAlerts(), 'w-listed-expired')).toEqual([]);
    // Within its term the same listing would have fired: the expiry, not the wallet, kept it quiet.
    await t.send([deposit('w-listed-expired', seenAt + 30 * MINUTE, { fromRef: 'donor-e' })]);
    expect(alertsOf(await publishedAlerts(), 'w-listed-expired').map((a) => a.rules)).toEqual([
      [WATCHLIST_RULE],
    ]);
  });

  it('lists through REST: the first payment alerts citing the source, and its payers are donors', async () => {
    const listed = await t.api('/v1/watchlist', {
      method: 'POST',
      body: {
        walletId: 'w-listed-rest',
        source: 'ok.ru/group/55 post 3',
        url: 'https://ok.ru/group/55/topic/3',
      },
    });
    expect(listed.statusCode, listed.body).toBe(201);
    await t.caughtUp();
    // Payments after the listing (its time is the API's clock).
    const after = Date.now() + 1000;
    const donors = Array.from({ length: 10 }, (_, i) => `card-rest-${i}`);
    await t.send(donors.map((d, i) => deposit('w-listed-rest', after + i * 1000, { fromRef: d })));
    const first = alertsOf(await publishedAlerts(), 'w-listed-rest');
    expect(first.map((a) => a.rules)).toEqual([[WATCHLIST_RULE]]);
    expect(first[0]!.watchlist![0]).toMatchObject({
      source: 'ok.ru/group/55 post 3',
      url: 'https://ok.ru/group/55/topic/3',
    });

    // A new wallet the same ten payers turn to: a replacement of the listed one.
    const next = [
      ...donors.map((d, i) => deposit('w-listed-next', after + 20_000 + i * 1000, { fromRef: d })),
      ...Array.from({ length: 5 }, (_, i) => deposit('w-listed-next', after + 40_000 + i * 1000)),
    ];
    await t.send(next);
    const replacement = alertsOf(await publishedAlerts(), 'w-listed-next').find((a) =>
      a.rules.includes('replacement-wallet'),
    );
    // It fires as soon as five of its payers are the listed wallet's: a third of what it holds.
    expect(replacement?.relatedWallets?.[0]).toMatchObject({ walletId: 'w-listed-rest', sharedPayers: 5 });
    expect(replacement!.summary).toMatch(/also paid flagged wallet w-listed-rest/);
  });
});
