// Hostile input through the real detector (decode → load → apply and detect → write → transaction),
// one partition so every bad record sits in front of the campaign that follows it: the bad record is
// set aside with its code, the campaign still alerts, and the group reaches the end of the topic.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema, type Alert } from '../../schemas/alert.js';
import { DeadLetterSchema, type DeadLetter } from '../../schemas/dead-letter.js';
import { campaign, deposit, HOUR, iso, MINUTE } from '../support/events.js';
import { startTestDetector, type TestDetector } from '../support/test-detector.js';
import { readTopicToEnd } from '../support/topic-to-end.js';

const DAY = 24 * HOUR;
/** The 64 KiB a dead letter keeps of a large original (kafka/dead-letter-record.ts). */
const KEPT_PREFIX_BYTES = 64 * 1024;

let t: TestDetector;

beforeAll(async () => {
  t = await startTestDetector({ TOPIC_PARTITIONS: '1' });
});
afterAll(async () => t?.stop());

async function alertsFor(walletId: string): Promise<Alert[]> {
  const records = await readTopicToEnd(t.kafka, t.admin, t.config.kafka.alertsTopic);
  return records.map((r) => AlertSchema.parse(JSON.parse(r.value))).filter((a) => a.walletId === walletId);
}

/** What an analyst sees of a wallet's alerts: which rules fired, at which payment. */
async function alertShape(walletId: string): Promise<[string[], string][]> {
  return (await alertsFor(walletId)).map((a) => [a.rules, a.eventTime]);
}

/**
 * The wallet alerts exactly as a control wallet given the same campaign and no hostile input (the
 * default rules raise the campaign alert at its 50th donor and escalate it at its 60th).
 */
async function expectAlertsAsControl(walletId: string, controlId: string): Promise<void> {
  const control = await alertShape(controlId);
  expect(control.length).toBeGreaterThan(0);
  expect(control[0]![0]).toContain('crowdfunding-fan-in');
  expect(await alertShape(walletId)).toEqual(control);
}

async function deadLetters(): Promise<{ letter: DeadLetter; bytes: number }[]> {
  const records = await readTopicToEnd(t.kafka, t.admin, t.config.kafka.deadLetterTopic);
  return records.map((r) => ({
    letter: DeadLetterSchema.parse(JSON.parse(r.value)),
    bytes: Buffer.byteLength(r.value),
  }));
}

/** Messages the detector's group has not committed on the input topic. */
async function inputLag(): Promise<number> {
  const topic = t.config.kafka.inputTopic;
  const ends = await t.admin.fetchTopicOffsets(topic);
  const [committed] = await t.admin.fetchOffsets({ groupId: t.config.kafka.groupId, topics: [topic] });
  return ends.reduce((lag, end) => {
    const c = committed!.partitions.find((p) => p.partition === end.partition);
    const at = c === undefined || Number(c.offset) < 0 ? 0 : Number(c.offset);
    return lag + Number(end.high) - at;
  }, 0);
}

async function inputEnd(): Promise<number> {
  const [end] = await t.admin.fetchTopicOffsets(t.config.kafka.inputTopic);
  return Number(end!.high);
}

describe('hostile input through the detector', () => {
  it('sets a 900 KB invalid message aside bounded, and the campaign behind it alerts', async () => {
    const start = Date.now() - 3 * HOUR;
    const offset = await inputEnd();
    const huge = Buffer.from(`{"eventId":"huge","amount":"${'9'.repeat(900_000)}"}`);
    await t.send([huge]);
    await t.send(campaign('w-behind-huge', start, 60, MINUTE));
    await t.send(campaign('w-control-huge', start, 60, MINUTE));
    await t.caughtUp();

    await expectAlertsAsControl('w-behind-huge', 'w-control-huge');

    const letters = (await deadLetters()).filter((l) => l.letter.source.offset === String(offset));
    expect(letters).toHaveLength(1);
    const { letter, bytes } = letters[0]!;
    expect(letter).toMatchObject({
      code: 'FG_EVENT_TOO_LARGE',
      originalTruncated: true,
      originalSize: huge.length,
      originalSha256: createHash('sha256').update(huge).digest('hex'),
    });
    expect(Buffer.from(letter.originalValueBase64!, 'base64')).toEqual(huge.subarray(0, KEPT_PREFIX_BYTES));
    console.log(`hostile: the dead letter of a ${huge.length}-byte message is ${bytes} bytes`);
    expect(bytes).toBeLessThan(t.config.kafka.maxMessageBytes);

    expect(await inputLag()).toBe(0);
    const ready = await t.detector.app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
  });

  it('sets aside a deposit dated 16 days ahead; the campaign into the same wallet still alerts', async () => {
    const start = Date.now() - 3 * HOUR;
    const wallet = 'w-after-future';
    const future = deposit(wallet, Date.now() + 16 * DAY, { amount: '250.00' });
    await t.send([future]);
    await t.send(campaign(wallet, start, 60, MINUTE));
    await t.send(campaign('w-control-future', start, 60, MINUTE));
    await t.caughtUp();

    await expectAlertsAsControl(wallet, 'w-control-future');
    const skewed = (await deadLetters()).filter(
      (l) => Buffer.from(l.letter.originalValueBase64 ?? '', 'base64').toString() === JSON.stringify(future),
    );
    expect(skewed.map((l) => l.letter.code)).toEqual(['FG_EVENT_TIME_SKEW']);
    // The future date never became the wallet's newest time: its windows still hold the campaign.
    const risk = (await t.api(`/v1/wallets/${wallet}/risk`)).json();
    expect(risk.features.lastEvent).toBe(iso(start + 59 * MINUTE));
    expect(risk.features.windows['6h'].inCount).toBe(60);
    expect(risk.features.lifetime.inCount).toBe(60);
  });

  it('ignores opening times after the event or before the floor: the wallet stays as young as its real claim', async () => {
    const start = Date.now() - 3 * HOUR;
    const wallet = 'w-false-claims';
    const opened = start - 5 * HOUR;
    // Every tenth donation claims the wallet was opened in 1990 (before WALLET_CREATED_FLOOR), every
    // tenth-plus-five one a day after the donation itself; the rest carry the processor's real claim.
    const events = campaign(wallet, start, 60, MINUTE).map((e, i) =>
      i % 10 === 0
        ? { ...e, toWalletCreatedAt: '1990-01-01T00:00:00Z' }
        : i % 10 === 5
          ? { ...e, toWalletCreatedAt: iso(Date.parse(e.occurredAt) + DAY) }
          : { ...e, toWalletCreatedAt: iso(opened) },
    );
    // A wallet whose only claim is before the floor has an unknown opening, not one in 1990.
    const onlyOld = deposit('w-only-old-claim', start, { toWalletCreatedAt: '1990-01-01T00:00:00Z' });
    const control = campaign('w-control-claims', start, 60, MINUTE).map((e) => ({
      ...e,
      toWalletCreatedAt: iso(opened),
    }));
    const firstOffset = await inputEnd();
    await t.send([...events, onlyOld, ...control]);
    await t.caughtUp();

    await expectAlertsAsControl(wallet, 'w-control-claims');
    const risk = (await t.api(`/v1/wallets/${wallet}/risk`)).json();
    expect(risk.features.openedAt).toBe(iso(opened));
    expect(risk.features.lifetime.inCount).toBe(60);
    const old = (await t.api('/v1/wallets/w-only-old-claim/risk')).json();
    expect(old.features.openedAt).toBeNull();
    expect(old.features.lifetime.inCount).toBe(1);
    // Claims are ignored, not refused: none of these payments was dead-lettered.
    const refused = (await deadLetters()).filter((l) => Number(l.letter.source.offset) >= firstOffset);
    expect(refused).toEqual([]);
  });

  it('sets aside an eventId re-sent with another body, counts a same-body resend once', async () => {
    const at = Date.now() - 30 * MINUTE;
    const wallet = 'w-resent';
    const original = deposit(wallet, at, { amount: '300.00' });
    const otherBody = { ...original, amount: '900.00' };
    const sameBody = { ...original, amount: '300' }; // the same payment written differently
    const firstOffset = await inputEnd();
    await t.send([original, otherBody, sameBody, { ...original }]);
    await t.caughtUp();

    const letters = (await deadLetters()).filter(
      (l) =>
        Number(l.letter.source.offset) >= firstOffset && Number(l.letter.source.offset) < firstOffset + 4,
    );
    expect(letters.map((l) => [l.letter.code, Number(l.letter.source.offset) - firstOffset])).toEqual([
      ['FG_EVENT_ID_CONFLICT', 1],
    ]);
    const risk = (await t.api(`/v1/wallets/${wallet}/risk`)).json();
    expect(risk.features.lifetime.inCount).toBe(1);
    expect(risk.features.lifetime.inSum).toBe(300);
    expect(risk.features.windows['1h'].inCount).toBe(1);
  });
});
