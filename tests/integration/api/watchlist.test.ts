// The watchlist over REST and from compliance's feed: both kinds of listing show in GET /v1/watchlist
// with source, listing time, expiry and hits; DELETE takes a wallet off and says so in the audit trail.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditRecordSchema } from '../../../schemas/audit-record.js';
import { WalletMentionSchema } from '../../../schemas/wallet-mention.js';
import { DAY_MS } from '../../../services/detector/src/domain/time.js';
import { sampleAlert } from '../../support/alert-sample.js';
import { eventually, startApiFixture, type ApiFixture } from '../../support/api-fixture.js';
import { readTopic, type TopicReader } from '../../support/test-detector.js';
import { riskOfWallet } from '../../support/wallet-risk-sample.js';

let f: ApiFixture;
let mentions: TopicReader;
let audit: TopicReader;

beforeAll(async () => {
  f = await startApiFixture({ env: { WATCHLIST_TTL: '30d' } });
  mentions = await readTopic(f.kafka, f.config.kafka.mentionsTopic);
  audit = await readTopic(f.kafka, f.config.kafka.auditTopic);
});

afterAll(async () => {
  await mentions?.close();
  await audit?.close();
  await f?.close();
});

interface Entry {
  walletId: string;
  sources: { mentionId: string; source: string; url?: string; listedAt: string; expiresAt: string }[];
  listedAt: string;
  expiresAt: string;
  hits: { count: number; lastAlertId: string | null };
}

async function watchlist(): Promise<Entry[]> {
  const response = await f.app.inject({ method: 'GET', url: '/v1/watchlist', headers: f.auth('reader') });
  expect(response.statusCode).toBe(200);
  return response.json().entries;
}

function mention(walletId: string, mentionId: string, extra: Record<string, unknown> = {}) {
  return {
    key: walletId,
    value: JSON.stringify({
      mentionId,
      walletId,
      source: 'compliance: channel post',
      seenAt: new Date().toISOString(),
      ...extra,
    }),
  };
}

it('lists wallets from REST and from the mentions topic, each once, with expiry and hits', async () => {
  const added = await f.app.inject({
    method: 'POST',
    url: '/v1/watchlist',
    headers: f.auth('watcher'),
    payload: {
      walletId: 'w-wl-rest',
      source: 'fundraising post',
      url: 'https://example.org/post/42',
      note: 'card number in the post',
    },
  });
  expect(added.statusCode, added.body).toBe(201);
  const listed = WalletMentionSchema.parse(added.json());
  expect(Date.parse(listed.expiresAt!) - Date.parse(listed.seenAt)).toBe(30 * DAY_MS);

  await f.producer.send({
    topic: f.config.kafka.mentionsTopic,
    acks: -1,
    messages: [
      mention('w-wl-feed', 'feed-1'),
      mention('w-wl-feed', 'feed-1'),
      mention('w-wl-feed', 'feed-2', { url: 'https://example.org/other' }),
      mention('w-wl-expired', 'feed-3', { expiresAt: new Date(Date.now() - 1000).toISOString() }),
      { key: 'w-wl-bad', value: '{"walletId": "w-wl-bad"}' },
    ],
  });
  const alert = sampleAlert('w-wl-feed', Date.now() + 1000, { watchlist: true });
  await f.producer.send({
    topic: f.config.kafka.alertsTopic,
    acks: -1,
    messages: [{ key: alert.walletId, value: JSON.stringify(alert) }],
  });

  const entries = await eventually(async () => {
    const now = await watchlist();
    const feed = now.find((entry) => entry.walletId === 'w-wl-feed');
    return feed?.sources.length === 2 && feed.hits.count === 1 && now;
  });
  expect(entries.map((entry) => entry.walletId).sort()).toEqual(['w-wl-feed', 'w-wl-rest']);
  const rest = entries.find((entry) => entry.walletId === 'w-wl-rest')!;
  expect(rest).toMatchObject({
    sources: [
      { mentionId: listed.mentionId, source: 'fundraising post', url: 'https://example.org/post/42' },
    ],
    expiresAt: listed.expiresAt,
    hits: { count: 0, lastAlertId: null },
  });
  const feed = entries.find((entry) => entry.walletId === 'w-wl-feed')!;
  expect(feed.sources.map((source) => source.mentionId)).toEqual(['feed-1', 'feed-2']);
  expect(feed.hits.lastAlertId).toBe(alert.alertId);

  f.knownWallets.set('w-wl-feed', riskOfWallet('w-wl-feed'));
  const risk = await f.app.inject({
    method: 'GET',
    url: '/v1/wallets/w-wl-feed/risk',
    headers: f.auth('reader'),
  });
  expect(risk.statusCode, risk.body).toBe(200);
  expect(risk.json()).toMatchObject({
    walletId: 'w-wl-feed',
    score: 55,
    watchlist: [{ mentionId: 'feed-1' }, { mentionId: 'feed-2', url: 'https://example.org/other' }],
    recentAlerts: [alert],
    flags: [],
  });

  const onTopic = await eventually(async () => mentions.records.find((record) => record.key === 'w-wl-rest'));
  expect(JSON.parse(onTopic.value)).toEqual(listed);
  const addedRecord = await eventually(async () =>
    audit.records.find((record) => record.key === 'w-wl-rest'),
  );
  expect(AuditRecordSchema.parse(JSON.parse(addedRecord.value))).toMatchObject({
    action: 'watchlist.added',
    principal: { id: 'key:watcher' },
    mention: { mentionId: listed.mentionId },
  });
});

it('takes a wallet off with a reason, in the audit trail; a later mention lists it again', async () => {
  await f.producer.send({
    topic: f.config.kafka.mentionsTopic,
    acks: -1,
    messages: [mention('w-wl-gone', 'gone-1')],
  });
  await eventually(async () => (await watchlist()).some((entry) => entry.walletId === 'w-wl-gone'));

  const noReason = await f.app.inject({
    method: 'DELETE',
    url: '/v1/watchlist/w-wl-gone',
    headers: f.auth('watcher'),
    payload: {},
  });
  expect(noReason.statusCode).toBe(400);
  const removed = await f.app.inject({
    method: 'DELETE',
    url: '/v1/watchlist/w-wl-gone',
    headers: f.auth('watcher'),
    payload: { reason: 'the post was fake' },
  });
  expect(removed.statusCode, removed.body).toBe(200);
  expect(removed.json()).toMatchObject({ walletId: 'w-wl-gone', mentionsRemoved: 1 });
  expect((await watchlist()).some((entry) => entry.walletId === 'w-wl-gone')).toBe(false);
  const again = await f.app.inject({
    method: 'DELETE',
    url: '/v1/watchlist/w-wl-gone',
    headers: f.auth('watcher'),
    payload: { reason: 'the post was fake' },
  });
  expect(again.statusCode).toBe(404);

  const trail = await f.app.inject({
    method: 'GET',
    url: '/v1/audit?walletId=w-wl-gone',
    headers: f.auth('reader'),
  });
  expect(trail.json().records).toEqual([
    expect.objectContaining({
      action: 'watchlist.removed',
      reason: 'the post was fake',
      before: [expect.objectContaining({ mentionId: 'gone-1' })],
    }),
  ]);

  await f.producer.send({
    topic: f.config.kafka.mentionsTopic,
    acks: -1,
    messages: [mention('w-wl-gone', 'gone-2')],
  });
  const back = await eventually(async () =>
    (await watchlist()).find((entry) => entry.walletId === 'w-wl-gone'),
  );
  expect(back.sources.map((source) => source.mentionId)).toEqual(['gone-2']);
});

it('refuses an expiry in the past and a listing without a source', async () => {
  const past = await f.app.inject({
    method: 'POST',
    url: '/v1/watchlist',
    headers: f.auth('watcher'),
    payload: { walletId: 'w-wl-past', source: 'post', expiresAt: '2020-01-01T00:00:00Z' },
  });
  expect(past.statusCode).toBe(400);
  const noSource = await f.app.inject({
    method: 'POST',
    url: '/v1/watchlist',
    headers: f.auth('watcher'),
    payload: { walletId: 'w-wl-x' },
  });
  expect(noSource.statusCode).toBe(400);
  expect(noSource.json().errors[0].path).toBe('body.source');
});
