// The alert index and stream: alerts published to the alerts topic (read_committed) show in GET
// /v1/alerts with filters and a cursor, one by id, and live on the server-sent event stream.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Severity } from '../../../schemas/alert.js';
import { sampleAlert } from '../../support/alert-sample.js';
import { eventually, startApiFixture, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
let base: string;

beforeAll(async () => {
  f = await startApiFixture({ env: { SSE_KEEPALIVE: '1s' } });
  await f.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(f.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await f?.close();
});

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads a server-sent event stream with fetch (as the console does), collecting events and comments. */
async function openStream(query: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const response = await fetch(`${base}/v1/alerts/stream${query}`, { headers, signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) comments.push(line);
          else if (line.startsWith('event: ')) event.event = line.slice(7);
          else if (line.startsWith('id: ')) event.id = line.slice(4);
          else if (line.startsWith('data: ')) event.data += line.slice(6);
        }
        if (event.data) events.push(event);
      }
    }
  })();
  return {
    response,
    events,
    comments,
    alerts: () =>
      events.filter((event) => event.event === 'alert').map((event) => JSON.parse(event.data) as Alert),
    close: async () => {
      abort.abort();
      await pump;
    },
  };
}

async function publish(alerts: Alert[]): Promise<void> {
  await f.producer.send({
    topic: f.config.kafka.alertsTopic,
    acks: -1,
    messages: alerts.map((alert) => ({ key: alert.walletId, value: JSON.stringify(alert) })),
  });
}

async function page(query: string) {
  const response = await f.app.inject({
    method: 'GET',
    url: `/v1/alerts${query}`,
    headers: f.auth('reader'),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { alerts: Alert[]; nextCursor: string | null };
}

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const wallets = ['w-al-a', 'w-al-b', 'w-al-c'];
const severities: Severity[] = ['medium', 'high', 'critical'];
const published: Alert[] = [];

function newestFirst(alerts: Alert[]): Alert[] {
  return [...alerts].sort(
    (a, b) =>
      Date.parse(b.detectedAt) - Date.parse(a.detectedAt) ||
      (a.alertId < b.alertId ? 1 : a.alertId > b.alertId ? -1 : 0),
  );
}

describe('GET /v1/alerts', () => {
  beforeAll(async () => {
    for (let i = 0; i < 30; i++) {
      // Every third alert shares its time with the one before, so the cursor must page through ties.
      const at = T0 + Math.floor(i / 3) * 2 * 60_000 + (i % 3 === 2 ? 0 : (i % 3) * 1000);
      published.push(
        sampleAlert(wallets[i % 3]!, at, {
          severity: severities[i % 3]!,
          rules: i % 2 === 0 ? ['crowdfunding-fan-in'] : ['baseline-break', 'pass-through'],
          alertId: `al-${String(i).padStart(2, '0')}`,
        }),
      );
    }
    // An alert in an aborted transaction was never published: read_committed must not index it.
    const transactional = f.kafka.producer({
      transactionalId: `t-${f.config.kafka.groupId}-aborted`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    const transaction = await transactional.transaction();
    await transaction.send({
      topic: f.config.kafka.alertsTopic,
      messages: [
        { key: 'w-al-a', value: JSON.stringify(sampleAlert('w-al-a', T0, { alertId: 'al-aborted' })) },
      ],
    });
    await transaction.abort();
    await transactional.disconnect();
    await publish(published);
    await eventually(async () => (await page('?limit=200')).alerts.length >= 30);
  });

  it('pages through every alert newest first with the cursor, ties included', async () => {
    const seen: Alert[] = [];
    let cursor: string | null = null;
    do {
      const next = await page(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(next.alerts.length).toBeLessThanOrEqual(7);
      seen.push(...next.alerts);
      cursor = next.nextCursor;
    } while (cursor);
    expect(seen.map((alert) => alert.alertId)).toEqual(newestFirst(published).map((alert) => alert.alertId));
  });

  it('filters by wallet, rule, severity and time', async () => {
    const byWallet = await page('?walletId=w-al-b&limit=200');
    expect(byWallet.alerts.map((a) => a.alertId)).toEqual(
      newestFirst(published.filter((a) => a.walletId === 'w-al-b')).map((a) => a.alertId),
    );

    const byRule = await page('?rule=pass-through&severity=critical&limit=200');
    expect(byRule.alerts.map((a) => a.alertId)).toEqual(
      newestFirst(published.filter((a) => a.rules.includes('pass-through') && a.severity === 'critical')).map(
        (a) => a.alertId,
      ),
    );
    expect(byRule.alerts.length).toBeGreaterThan(0);

    const from = new Date(T0 + 4 * 60_000).toISOString();
    const to = new Date(T0 + 10 * 60_000).toISOString();
    const inRange = await page(`?from=${from}&to=${to}&walletId=w-al-a&limit=200`);
    const expected = published.filter(
      (a) =>
        a.walletId === 'w-al-a' &&
        Date.parse(a.detectedAt) >= Date.parse(from) &&
        Date.parse(a.detectedAt) <= Date.parse(to),
    );
    expect(inRange.alerts.map((a) => a.alertId)).toEqual(newestFirst(expected).map((a) => a.alertId));
    expect(expected.length).toBeGreaterThan(0);
  });

  it('returns one alert by id, and never one from an aborted transaction', async () => {
    const one = await f.app.inject({ method: 'GET', url: '/v1/alerts/al-07', headers: f.auth('reader') });
    expect(one.json()).toEqual(published[7]);
    const aborted = await f.app.inject({
      method: 'GET',
      url: '/v1/alerts/al-aborted',
      headers: f.auth('reader'),
    });
    expect(aborted.statusCode).toBe(404);
  });

  it('refuses a cursor it did not make', async () => {
    const response = await f.app.inject({
      method: 'GET',
      url: '/v1/alerts?cursor=bm90LWEtY3Vyc29y',
      headers: f.auth('reader'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].path).toBe('querystring.cursor');
  });
});

describe('GET /v1/alerts/stream', () => {
  it('sends new alerts as they are published, filtered, with keep-alives', async () => {
    const all = await openStream('', f.auth('reader'));
    const onlyB = await openStream('?walletId=w-al-b', { 'x-api-key': f.keys.reader });
    expect(all.response.headers.get('content-type')).toContain('text/event-stream');
    await eventually(
      async () =>
        all.events.some((e) => e.event === 'ready') && onlyB.events.some((e) => e.event === 'ready'),
    );

    const fresh = wallets.map((walletId, i) =>
      sampleAlert(walletId, Date.now() + i, { alertId: `al-live-${i}` }),
    );
    await publish(fresh);
    await eventually(async () => all.alerts().length === 3 && onlyB.alerts().length === 1);
    expect(
      all
        .alerts()
        .map((a) => a.alertId)
        .sort(),
    ).toEqual(['al-live-0', 'al-live-1', 'al-live-2']);
    expect(onlyB.alerts()).toEqual([fresh[1]]);
    expect(all.events.find((e) => e.event === 'alert')!.id).toMatch(/^al-live-/);
    await eventually(async () => all.comments.includes(': keep-alive'));
    await all.close();
    await onlyB.close();
  });
});
