// POST /v1/transactions: events checked by the input topic's own contract; the valid ones reach the
// input topic keyed by the receiving wallet, the invalid ones are refused with the contract's reasons.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deposit, transfer, uniqueId } from '../../support/events.js';
import { eventually, startApiFixture, type ApiFixture } from '../../support/api-fixture.js';
import { readTopic, type TopicReader } from '../../support/test-detector.js';

let f: ApiFixture;
let input: TopicReader;

beforeAll(async () => {
  f = await startApiFixture({ env: { TRANSACTIONS_BATCH_MAX: '50', MAX_EVENT_BYTES: '2048' } });
  input = await readTopic(f.kafka, f.config.kafka.inputTopic);
});

afterAll(async () => {
  await input?.close();
  await f?.close();
});

it('writes a batch of valid events and refuses the invalid ones with the reasons, one result each', async () => {
  const now = Date.now();
  const good = [deposit('w-tx-1', now), transfer('w-tx-2', 'w-tx-3', now)];
  const precise = deposit('w-tx-1', now, { amount: '10.001' });
  const noReceiver = { ...deposit('w-tx-1', now), toWalletId: undefined };
  const tooBig = deposit('w-tx-1', now, { metadata: { blob: 'x'.repeat(3000) } });
  const response = await f.app.inject({
    method: 'POST',
    url: '/v1/transactions',
    headers: f.auth('ingest'),
    payload: { events: [good[0], precise, noReceiver, good[1], 'not an event', tooBig] },
  });
  expect(response.statusCode, response.body).toBe(202);
  const body = response.json();
  expect(body).toMatchObject({ accepted: 2, rejected: 4 });
  expect(body.results).toEqual([
    { index: 0, eventId: good[0]!.eventId, status: 'accepted' },
    {
      index: 1,
      eventId: precise.eventId,
      status: 'rejected',
      code: 'FG_AMOUNT_PRECISION',
      reason: expect.stringContaining('amount'),
    },
    {
      index: 2,
      eventId: noReceiver.eventId,
      status: 'rejected',
      code: 'FG_EVENT_INVALID',
      reason: 'toWalletId: exactly one of toWalletId or toRef is required',
    },
    { index: 3, eventId: good[1]!.eventId, status: 'accepted' },
    { index: 4, eventId: null, status: 'rejected', code: 'FG_EVENT_INVALID', reason: expect.any(String) },
    {
      index: 5,
      eventId: tooBig.eventId,
      status: 'rejected',
      code: 'FG_EVENT_TOO_LARGE',
      reason: expect.stringContaining('2048'),
    },
  ]);

  const written = await eventually(async () => {
    const mine = input.records.filter((record) => good.some((event) => record.value.includes(event.eventId)));
    return mine.length === 2 && mine;
  });
  expect(written.map((record) => record.key).sort()).toEqual(['w-tx-1', 'w-tx-3']);
  expect(written.map((record) => JSON.parse(record.value).eventId).sort()).toEqual(
    good.map((event) => event.eventId).sort(),
  );
  // A later event of the same wallet (same partition) is read only after anything sent before it.
  await throughTopic('w-tx-1');
  expect(input.records.some((record) => record.value.includes(precise.eventId))).toBe(false);
});

it('takes one event on its own', async () => {
  const event = deposit('w-tx-single', Date.now(), { eventId: uniqueId('single') });
  const response = await f.app.inject({
    method: 'POST',
    url: '/v1/transactions',
    headers: f.auth('ingest'),
    payload: event,
  });
  expect(response.statusCode).toBe(202);
  expect(response.json()).toEqual({
    accepted: 1,
    rejected: 0,
    results: [{ index: 0, eventId: event.eventId, status: 'accepted' }],
  });
  await eventually(async () => input.records.some((record) => record.key === 'w-tx-single'));
});

it('refuses a batch larger than TRANSACTIONS_BATCH_MAX, or an envelope that is not one', async () => {
  const events = Array.from({ length: 51 }, () => deposit('w-tx-many', Date.now()));
  const tooMany = await f.app.inject({
    method: 'POST',
    url: '/v1/transactions',
    headers: f.auth('ingest'),
    payload: { events },
  });
  expect(tooMany.statusCode).toBe(400);
  expect(tooMany.json().detail).toContain('1 to 50');
  const array = await f.app.inject({
    method: 'POST',
    url: '/v1/transactions',
    headers: f.auth('ingest'),
    payload: events.slice(0, 2),
  });
  expect(array.statusCode).toBe(400);
  await throughTopic('w-tx-many');
  expect(input.records.filter((record) => record.key === 'w-tx-many')).toHaveLength(1);
});

/** Sends one event for the wallet through the API and waits until the reader has it. */
async function throughTopic(walletId: string): Promise<void> {
  const marker = deposit(walletId, Date.now(), { eventId: uniqueId('marker') });
  const response = await f.app.inject({
    method: 'POST',
    url: '/v1/transactions',
    headers: f.auth('ingest'),
    payload: marker,
  });
  expect(response.json().accepted).toBe(1);
  await eventually(async () => input.records.some((record) => record.value.includes(marker.eventId)));
}
