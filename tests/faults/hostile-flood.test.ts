// A flood of malformed messages mixed into real traffic, through the real detector: every valid
// payment is applied once, every bad message is dead-lettered with the code its fault deserves, the
// campaign among them alerts, and the group reaches the end. Prints the throughput it measured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../schemas/alert.js';
import { DeadLetterSchema } from '../../schemas/dead-letter.js';
import type { TransactionEventInput } from '../../schemas/transaction-event.js';
import { campaign, deposit, HOUR, iso, MINUTE } from '../support/events.js';
import { startTestDetector, type TestDetector } from '../support/test-detector.js';
import { readTopicToEnd } from '../support/topic-to-end.js';

const DAY = 24 * HOUR;
const NOW = Date.now();
const ORDINARY_WALLETS = 194;
const DEPOSITS_EACH = 10;
const CAMPAIGN_WALLET = 'w-flood-campaign';

interface Message {
  key: string;
  value: Buffer;
}

/** Deterministic, so a failing flood can be replayed (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The valid traffic: ordinary wallets topped up from their owners' cards, and one campaign. */
function validEvents(): TransactionEventInput[] {
  const events: TransactionEventInput[] = [];
  // Event ids are free text: braces and control characters in one are no reason to refuse a payment.
  const oddIds = ['{ev}', 'ev\u0001ctl', 'ev\nline', 'ev }{ '];
  for (let w = 0; w < ORDINARY_WALLETS; w++) {
    for (let d = 0; d < DEPOSITS_EACH; d++) {
      const e = deposit(`w-flood-${w}`, NOW - 10 * HOUR + d * 50 * MINUTE + w * 1000, {
        amount: `${500 + ((w * 31 + d * 17) % 1000)}.00`,
        fromRef: `card-flood-${w}-${d % 2}`,
      });
      if ((w + d) % 7 === 0) e.eventId = `${oddIds[(w + d) % oddIds.length]}-${e.eventId}`;
      events.push(e);
    }
  }
  events.push(...campaign(CAMPAIGN_WALLET, NOW - 3 * HOUR, 60, MINUTE));
  return events;
}

/** `count` malformed messages of one kind, each with the code the detector must give it. */
type Kind = { code: string; count: number; make: (i: number, rnd: () => number) => Buffer };

function malformedKinds(valid: TransactionEventInput[]): Kind[] {
  const good = () => deposit('w-never-applied', NOW - HOUR);
  const ordinary = valid.filter((e) => e.toWalletId !== CAMPAIGN_WALLET);
  return [
    {
      code: 'FG_EVENT_NOT_JSON',
      count: 2000,
      // Random bytes without brackets (those would be judged on depth first), behind a byte no JSON starts with.
      make: (_i, rnd) =>
        Buffer.from([
          0xfe,
          ...Array.from({ length: 10 + Math.floor(rnd() * 300) }, () => {
            const b = Math.floor(rnd() * 256);
            return b === 0x5b || b === 0x7b ? 0x20 : b;
          }),
        ]),
    },
    { code: 'FG_EVENT_EMPTY', count: 200, make: () => Buffer.alloc(0) },
    {
      code: 'FG_EVENT_TOO_DEEP',
      count: 1000,
      make: (i, rnd) => {
        if (i % 5 === 0) {
          let metadata: unknown = { leaf: 1 };
          for (let d = 0; d < 9; d++) metadata = { d: metadata };
          return json({ ...good(), metadata });
        }
        const n = 100 + Math.floor(rnd() * 8000); // 2n bytes stay under MAX_EVENT_BYTES
        return Buffer.from('['.repeat(n) + ']'.repeat(n));
      },
    },
    {
      code: 'FG_EVENT_TOO_LARGE',
      count: 500,
      // Ten of them 1 MB (each sent alone: the broker refuses a batch above its limit).
      make: (i) => json({ ...good(), channel: 'x'.repeat(i < 10 ? 1_000_000 : 20_000) }),
    },
    {
      code: 'FG_EVENT_INVALID',
      count: 3300,
      make: (i) => {
        const e = good();
        const variants: unknown[] = [
          { ...e, amount: true },
          { ...e, type: 5 },
          { ...e, eventId: 7 },
          { ...e, occurredAt: 1_700_000_000_000 },
          { ...e, toWalletId: 'w{tag}' },
          { ...e, toWalletId: 'w\u0000nul' },
          { ...e, fromRef: 'card\u0007bell' },
          { ...e, toWalletId: 'w'.repeat(129) },
          { ...e, amount: '-5' },
          { ...e, amount: '1e5' },
          { ...e, amount: 1e300 },
          { ...e, amount: '9'.repeat(40) },
          { ...e, occurredAt: '+275760-09-13T00:00:00.000Z' },
          [e],
          null,
          'a string',
        ];
        return json(variants[i % variants.length]);
      },
    },
    { code: 'FG_AMOUNT_PRECISION', count: 700, make: () => json({ ...good(), amount: '150.000000001' }) },
    { code: 'FG_AMOUNT_OUT_OF_RANGE', count: 300, make: () => json({ ...good(), amount: '999999999999' }) },
    { code: 'FG_UNKNOWN_CURRENCY', count: 300, make: () => json({ ...good(), currency: 'XYZ' }) },
    {
      code: 'FG_EVENT_TIME_SKEW',
      count: 700,
      make: (i) => json({ ...good(), occurredAt: i % 2 ? iso(NOW + 16 * DAY) : '9999-12-31T23:59:59Z' }),
    },
    {
      code: 'FG_EVENT_TOO_OLD',
      count: 300,
      make: (i) => json({ ...good(), occurredAt: i % 2 ? '1999-12-31T23:59:59Z' : '1970-01-01T00:00:00Z' }),
    },
    {
      code: 'FG_EVENT_ID_CONFLICT',
      count: 700,
      // An eventId already applied, re-sent with another amount (sent after its original, see below).
      make: (i) => json({ ...ordinary[i * 2]!, amount: '1.23' }),
    },
  ];
}

/** Valid and malformed messages interleaved; a conflicting resend always follows its original. */
function flood(valid: TransactionEventInput[]): { messages: Message[]; expected: Map<string, number> } {
  const rnd = random(8);
  const expected = new Map<string, number>();
  const bad: Message[] = [];
  const conflicts: { after: string; message: Message }[] = [];
  const ordinary = valid.filter((e) => e.toWalletId !== CAMPAIGN_WALLET);
  for (const kind of malformedKinds(valid)) {
    expected.set(kind.code, kind.count);
    for (let i = 0; i < kind.count; i++) {
      const value = kind.make(i, rnd);
      if (kind.code === 'FG_EVENT_ID_CONFLICT') {
        const original = ordinary[i * 2]!;
        conflicts.push({ after: original.eventId, message: { key: original.toWalletId!, value } });
      } else {
        bad.push({ key: `raw-${i % 16}`, value });
      }
    }
  }
  // Shuffle the bad ones, then deal five of them after every valid event.
  for (let i = bad.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [bad[i], bad[j]] = [bad[j]!, bad[i]!];
  }
  const conflictAfter = new Map(conflicts.map((c) => [c.after, c.message]));
  const messages: Message[] = [];
  let b = 0;
  for (const e of valid) {
    messages.push({ key: e.toWalletId!, value: json(e) });
    const conflict = conflictAfter.get(e.eventId);
    if (conflict) messages.push(conflict);
    for (let k = 0; k < 5 && b < bad.length; k++) messages.push(bad[b++]!);
  }
  while (b < bad.length) messages.push(bad[b++]!);
  return { messages, expected };
}

describe('a flood of malformed messages among real traffic', () => {
  let t: TestDetector;
  beforeAll(async () => {
    t = await startTestDetector();
  });
  afterAll(async () => t?.stop());

  it('applies every valid event, dead-letters every bad one with its code, and alerts the campaign', async () => {
    const valid = validEvents();
    const { messages, expected } = flood(valid);
    expect(valid).toHaveLength(2000);
    expect(messages).toHaveLength(12_000);

    const producer = t.kafka.producer();
    await producer.connect();
    const topic = t.config.kafka.inputTopic;
    const started = performance.now();
    let batch: Message[] = [];
    const flush = async () => {
      if (batch.length) await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
    };
    for (const m of messages) {
      if (m.value.length > 100_000) {
        await flush();
        batch.push(m);
        await flush();
      } else {
        batch.push(m);
        if (batch.length === 500) await flush();
      }
    }
    await flush();
    const produced = performance.now();
    await producer.disconnect();
    await t.caughtUp(180_000);
    const done = performance.now();

    const seconds = (done - started) / 1000;
    console.log(
      `flood: ${messages.length} records (${valid.length} valid, ${messages.length - valid.length} malformed) ` +
        `produced in ${((produced - started) / 1000).toFixed(1)} s, all committed after ${seconds.toFixed(1)} s: ` +
        `${Math.round(messages.length / seconds)} records/s end to end`,
    );

    // Every bad message set aside, each with the code its fault deserves.
    const letters = (await readTopicToEnd(t.kafka, t.admin, t.config.kafka.deadLetterTopic, 60_000)).map(
      (r) => DeadLetterSchema.parse(JSON.parse(r.value)),
    );
    const byCode = new Map<string, number>();
    for (const l of letters) byCode.set(l.code, (byCode.get(l.code) ?? 0) + 1);
    console.log(`flood: dead letters by code ${JSON.stringify(Object.fromEntries(byCode))}`);
    expect(Object.fromEntries(byCode)).toEqual(Object.fromEntries(expected));
    for (const l of letters)
      expect(Buffer.byteLength(JSON.stringify(l))).toBeLessThan(t.config.kafka.maxMessageBytes);

    // Every valid payment applied exactly once: counts and sums per wallet.
    const byWallet = new Map<string, { count: number; sum: number }>();
    for (const e of valid) {
      const w = byWallet.get(e.toWalletId!) ?? { count: 0, sum: 0 };
      w.count += 1;
      w.sum += Number(e.amount);
      byWallet.set(e.toWalletId!, w);
    }
    for (const [walletId, { count, sum }] of byWallet) {
      const risk = await t.api(`/v1/wallets/${walletId}/risk`);
      expect(risk.statusCode, walletId).toBe(200);
      expect(risk.json().features.lifetime, walletId).toMatchObject({ inCount: count, inSum: sum });
    }
    expect((await t.api('/v1/wallets/w-never-applied/risk')).statusCode).toBe(404);

    // The campaign alerted; the ordinary wallets did not.
    const alerts = (await readTopicToEnd(t.kafka, t.admin, t.config.kafka.alertsTopic)).map((r) =>
      AlertSchema.parse(JSON.parse(r.value)),
    );
    expect([...new Set(alerts.map((a) => a.walletId))]).toEqual([CAMPAIGN_WALLET]);
    expect(alerts[0]!.rules).toContain('crowdfunding-fan-in');

    expect((await t.detector.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  }, 240_000);
});
