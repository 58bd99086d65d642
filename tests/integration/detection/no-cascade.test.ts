// One false alert must never fan out (issue 10, item 3), on the real stack. A big shop with a thousand
// customers is falsely alerted and then, worse, wrongly confirmed by an analyst: its customers, who
// also pay other shops and pay their neighbours back, must not turn those shops and neighbours into
// "replacement wallets". And the donors of a true campaign, who shop and chip into their friends'
// collections, must not make those suspects either — while the campaign's real replacement is found.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { Alert } from '../../../schemas/alert.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';
import { loadConfig } from '../../../services/detector/src/config/index.js';
import { HOUR, iso, MINUTE, transfer, uniqueId } from '../../support/events.js';
import { startTestDetector, type TestDetector } from '../../support/test-detector.js';
import { readTopicToEnd } from '../../support/topic-to-end.js';

const DAY = 24 * HOUR;
const NOW = Date.now();
const OLD = { toWalletCreatedAt: iso(NOW - 900 * DAY) };

/**
 * The default catalog plus a careless rule that takes a thousand payers in a day for a campaign and
 * would seed donors: the false alert the seeding policy must keep from spreading.
 */
function catalogWithCarelessRule(): string {
  const defaults = loadConfig({ KAFKA_BROKERS: '127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' }).rulesFile;
  const catalog = YAML.parse(readFileSync(defaults, 'utf8')) as {
    alerting: { seedsReplacementIndex: string[] };
    rules: unknown[];
  };
  catalog.rules.push({
    id: 'careless-fan-in',
    kind: 'fan-in',
    description: 'Any thousand payers in a day (a rule no analyst should write).',
    severity: 'high',
    weight: 60,
    params: {
      window: '24h',
      minSmallDeposits: 0,
      minDistinctPayers: 900,
      minTotal: 1,
      minRatioToBaseline: 1,
    },
  });
  catalog.alerting.seedsReplacementIndex.push('careless-fan-in');
  const file = join(mkdtempSync(join(tmpdir(), 'fg-rules-')), 'careless.yaml');
  writeFileSync(file, YAML.stringify(catalog));
  return file;
}

function purchase(payer: string, shop: string, atMs: number): TransactionEventInput {
  return {
    eventId: uniqueId('buy'),
    occurredAt: iso(atMs),
    type: 'payment',
    amount: `${150 + (atMs % 900)}.00`,
    currency: 'RUB',
    fromWalletId: payer,
    toWalletId: shop,
    toWalletCreatedAt: OLD.toWalletCreatedAt,
  };
}

function gift(payer: string, to: string, atMs: number, amount = '300.00', opened = OLD.toWalletCreatedAt) {
  return transfer(payer, to, atMs, { amount, toWalletCreatedAt: opened });
}

const byTime = (a: TransactionEventInput, b: TransactionEventInput) =>
  a.occurredAt.localeCompare(b.occurredAt);

describe('a falsely alerted shop with a thousand customers', () => {
  let t: TestDetector;
  let alerts: Alert[] = [];
  const customers = Array.from({ length: 1000 }, (_, i) => `w-cust-${i}`);
  const start = NOW - 20 * HOUR;
  const at = (i: number, spreadMs = 10 * HOUR) => start + ((i * 7919) % 1000) * (spreadMs / 1000);

  beforeAll(async () => {
    t = await startTestDetector({ RULES_FILE: catalogWithCarelessRule() });
    // The big shop: every customer once, most by card, a third by QR transfer (the careless rule's
    // "thousand payers"); two hundred come back.
    const bigShop = customers.flatMap((c, i) => {
      const first = i % 3 === 0 ? gift(c, 'w-big-shop', at(i)) : purchase(c, 'w-big-shop', at(i));
      return i < 200 ? [first, purchase(c, 'w-big-shop', at(i) + 2 * HOUR)] : [first];
    });
    // Neighbouring shops share the clientele: purchases, and some QR transfers.
    const neighbours = ['w-bakery', 'w-pharmacy'].flatMap((shop, s) =>
      customers
        .slice(s * 300, s * 300 + 260)
        .map((c, i) => (i % 4 === 0 ? gift(c, shop, at(i) + HOUR) : purchase(c, shop, at(i) + HOUR))),
    );
    // Residents paid back by neighbours, before the analyst's mistake.
    const paybacksBefore = Array.from({ length: 5 }, (_, r) =>
      customers
        .slice(r * 40, r * 40 + 12 + r * 4)
        .map((c, i) => gift(c, `w-resident-${r}`, at(i) + 3 * HOUR, '800.00')),
    ).flat();
    await t.send([...bigShop, ...neighbours, ...paybacksBefore].sort(byTime));
    await t.caughtUp(120_000);

    // The analyst confirms the shop by mistake: an analyst's flag seeds whatever the evidence looks like.
    const confirmed = await t.api('/v1/wallets/w-big-shop/flags', {
      method: 'POST',
      body: { kind: 'confirmed', reason: 'mistaken for the campaign wallet in the post' },
    });
    expect(confirmed.statusCode).toBe(201);
    await t.caughtUp();

    // After it: more paybacks, a neighbourhood collection of forty customers, more QR payments.
    const later = NOW - 4 * HOUR;
    const paybacksAfter = Array.from({ length: 5 }, (_, r) =>
      customers
        .slice(500 + r * 40, 500 + r * 40 + 20)
        .map((c, i) => gift(c, `w-resident-${5 + r}`, later + i * MINUTE, '800.00')),
    ).flat();
    const collection = customers
      .slice(700, 740)
      .map((c, i) => gift(c, 'w-collection', later + i * 3 * MINUTE, '700.00', iso(later - 2 * HOUR)));
    const moreQr = customers.slice(0, 120).map((c, i) => gift(c, 'w-bakery', later + i * MINUTE));
    await t.send([...paybacksAfter, ...collection, ...moreQr].sort(byTime));
    await t.caughtUp(60_000);
    alerts = (await readTopicToEnd(t.kafka, t.admin, t.config.kafka.alertsTopic)).map(
      (r) => JSON.parse(r.value) as Alert,
    );
  }, 240_000);
  afterAll(async () => t?.stop());

  it('was falsely alerted (the careless rule fired on it)', () => {
    expect(alerts.filter((a) => a.walletId === 'w-big-shop').flatMap((a) => a.rules)).toContain(
      'careless-fan-in',
    );
  });

  it('raises no replacement-wallet alert on other shops or ordinary wallets, before or after the mistake', () => {
    const replacements = alerts.filter((a) => a.rules.includes('replacement-wallet'));
    expect(replacements.map((a) => a.walletId)).toEqual([]);
    // Nor any alert at all besides the false one.
    expect(new Set(alerts.map((a) => a.walletId))).toEqual(new Set(['w-big-shop']));
  });
});

describe("a true campaign's donors", () => {
  let t: TestDetector;
  let alerts: Alert[] = [];
  const donors = Array.from({ length: 200 }, (_, i) => `w-donor-${i}`);
  const campaignStart = NOW - 12 * HOUR;
  const opened = iso(campaignStart - 3 * HOUR);

  beforeAll(async () => {
    t = await startTestDetector();
    const campaign = donors.map((d, i) =>
      gift(d, 'w-campaign', campaignStart + i * 20_000, '300.00', opened),
    );
    // Ten days before the campaign existed, ten of its future donors paid a neighbour back.
    const longBefore = donors
      .slice(10, 20)
      .map((d, i) => gift(d, 'w-neighbour', campaignStart - 10 * DAY + i * MINUTE, '900.00'));
    await t.send([...longBefore, ...campaign]);
    await t.caughtUp(60_000);

    const after = campaignStart + 2 * HOUR;
    // They shop where everyone shops: most of a shop's customers are donors, paying for goods.
    const shops = ['w-grocer', 'w-kiosk'].flatMap((shop, s) => [
      ...donors.slice(s * 50, s * 50 + 150).map((d, i) => purchase(d, shop, after + i * MINUTE)),
      ...Array.from({ length: 60 }, (_, i) => purchase(`w-local-${s}-${i}`, shop, after + i * 2 * MINUTE)),
    ]);
    // Each chips into a friend's collection: ten collections of twenty friends, a few donors in each.
    const collections = Array.from({ length: 10 }, (_, c) =>
      Array.from({ length: 20 }, (_, i) => {
        const friend = i < 4 ? donors[c * 20 + i]! : `w-friend-${c}-${i}`;
        return gift(friend, `w-gift-${c}`, after + (c * 20 + i) * MINUTE, '700.00', iso(after - HOUR));
      }),
    ).flat();
    // The real replacement, opened after the campaign stopped: half its donors come back.
    const replacementOpened = iso(after + HOUR);
    const replacement = Array.from({ length: 60 }, (_, i) =>
      gift(
        i % 2 === 0 ? donors[100 + i]! : `w-new-donor-${i}`,
        'w-campaign-2',
        after + 2 * HOUR + i * MINUTE,
        '300.00',
        replacementOpened,
      ),
    );
    await t.send([...shops, ...collections, ...replacement].sort(byTime));
    await t.caughtUp(60_000);
    alerts = (await readTopicToEnd(t.kafka, t.admin, t.config.kafka.alertsTopic)).map(
      (r) => JSON.parse(r.value) as Alert,
    );
  }, 180_000);
  afterAll(async () => t?.stop());

  it('find the real replacement, saying which flagged wallet and how many shared payers', () => {
    const replacement = alerts.find(
      (a) => a.walletId === 'w-campaign-2' && a.rules.includes('replacement-wallet'),
    );
    expect(replacement?.relatedWallets?.[0]).toMatchObject({
      walletId: 'w-campaign',
      sharedPayers: expect.any(Number),
    });
    expect(replacement!.relatedWallets![0]!.sharedPayers).toBeGreaterThanOrEqual(5);
    expect(replacement!.summary).toMatch(/also paid flagged wallet w-campaign/);
  });

  it('make no suspect of the shops they buy from, the collections they chip into, or who they paid before', () => {
    const alerted = new Set(alerts.map((a) => a.walletId));
    expect(alerted).toEqual(new Set(['w-campaign', 'w-campaign-2']));
  });
});
