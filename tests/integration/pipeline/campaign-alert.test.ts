// The thin slice on real Kafka and Redis: a crowdfunding campaign among ordinary traffic raises one
// alert; replaying the same events changes nothing; bad messages go to the dead-letter topic.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../../schemas/alert.js';
import { DeadLetterSchema } from '../../../schemas/dead-letter.js';
import { campaign, deposit, HOUR, MINUTE, transfer } from '../../support/events.js';
import { settle, startTestDetector, waitFor, type TestDetector } from '../../support/test-detector.js';
import type { TransactionEventInput } from '../../../schemas/transaction-event.js';

const RULES_FILE = 'tests/fixtures/rules/fan-in-only.yaml';

function ordinaryTraffic(startMs: number, wallets: number): TransactionEventInput[] {
  const events: TransactionEventInput[] = [];
  for (let w = 0; w < wallets; w++) {
    events.push(
      deposit(`ord-${w}`, startMs + w * 1000, { amount: `${500 + w * 7}.00`, fromRef: `card-own-${w}` }),
    );
    events.push(
      transfer(`ord-${w}`, `ord-${(w + 1) % wallets}`, startMs + w * 1000 + 30 * MINUTE, {
        amount: '250.00',
      }),
    );
  }
  return events;
}

describe('crowdfunding campaign through the pipeline', () => {
  let t: TestDetector;
  const start = Date.now() - 4 * HOUR;
  const campaignEvents = campaign('w-campaign', start, 120, 30_000);
  const background = ordinaryTraffic(start, 200);
  const all = [...background, ...campaignEvents].sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));

  beforeAll(async () => {
    t = await startTestDetector({ RULES_FILE });
    await t.send(all);
    await t.caughtUp();
    await settle(500);
  });
  afterAll(async () => t?.stop());

  it('publishes exactly one alert, for the campaign wallet, with the counts and thresholds', async () => {
    const alerts = await waitFor(() => t.alerts.records.length > 0 && t.alerts.records);
    await settle(1000);
    expect(alerts).toHaveLength(1);
    const alert = AlertSchema.parse(JSON.parse(alerts[0]!.value));
    expect(alerts[0]!.key).toBe('w-campaign');
    expect(alert.walletId).toBe('w-campaign');
    expect(alert.rules).toEqual(['crowdfunding-fan-in']);
    const evidence = Object.fromEntries(alert.evidence.map((e) => [e.feature, e]));
    expect(evidence.smallDonations).toMatchObject({ value: 30, threshold: 30, comparison: '>=' });
    expect(evidence.distinctPayers).toMatchObject({ value: 30, threshold: 25 });
    // The 30th donation triggered it: its event time is the alert's.
    expect(alert.eventTime).toBe(campaignEvents[29]!.occurredAt);
    expect(alert.sampleEventIds).toContain(campaignEvents[29]!.eventId);
    expect(alert.summary).toMatch(/^Wallet w-campaign \(opened \d+ h ago\) received 30 donations/);
  });

  it('changes no feature and emits no alert when the same events are sent again', async () => {
    const before = await t.api('/v1/wallets/w-campaign/risk');
    const beforeOrdinary = await t.api('/v1/wallets/ord-3/risk');
    await t.send([...all].reverse());
    await t.caughtUp();
    await settle(1500);
    const after = await t.api('/v1/wallets/w-campaign/risk');
    const afterOrdinary = await t.api('/v1/wallets/ord-3/risk');
    expect(after.json().features).toEqual(before.json().features);
    expect(afterOrdinary.json().features).toEqual(beforeOrdinary.json().features);
    expect(after.json().features.windows['6h'].inCount).toBe(120);
    expect(t.alerts.records).toHaveLength(1);
  });
});

describe('bad input', () => {
  let t: TestDetector;
  beforeAll(async () => {
    t = await startTestDetector({ RULES_FILE });
  });
  afterAll(async () => t?.stop());

  it('sends a non-JSON message and a contract-breaking event to the dead-letter topic and goes on', async () => {
    const now = Date.now();
    const broken = { ...deposit('w-dlq', now), amount: '-5' };
    const unknownCurrency = deposit('w-dlq', now, { currency: 'XYZ' });
    const valid = deposit('w-after-bad', now);
    await t.send(['{not json', broken, unknownCurrency, valid]);
    await t.caughtUp();
    const letters = await waitFor(() => t.deadLetters.records.length >= 3 && t.deadLetters.records);
    const parsed = letters.map((r) => DeadLetterSchema.parse(JSON.parse(r.value)));
    expect(parsed.map((l) => l.code).sort()).toEqual([
      'FG_EVENT_INVALID',
      'FG_EVENT_NOT_JSON',
      'FG_UNKNOWN_CURRENCY',
    ]);
    const notJson = parsed.find((l) => l.code === 'FG_EVENT_NOT_JSON')!;
    expect(Buffer.from(notJson.originalValueBase64!, 'base64').toString()).toBe('{not json');
    expect(parsed.find((l) => l.code === 'FG_EVENT_INVALID')!.reason).toMatch(/amount/);
    const risk = await t.api('/v1/wallets/w-after-bad/risk');
    expect(risk.statusCode).toBe(200);
    expect(risk.json().features.windows['1h'].inCount).toBe(1);
  });
});
