// Budgets are per principal (anonymous callers: per address): one principal spending its budget
// leaves another's alone, and writes have a smaller budget of their own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;

beforeAll(async () => {
  f = await startApiFixture({
    env: { RATE_LIMIT_MAX: '8', RATE_LIMIT_WRITE_MAX: '3', RATE_LIMIT_WINDOW: '1m' },
  });
});

afterAll(async () => {
  await f?.close();
});

async function statuses(count: number, send: () => Promise<{ statusCode: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push((await send()).statusCode);
  return out;
}

it('limits one principal and not another', async () => {
  const reader = await statuses(10, () =>
    f.app.inject({ method: 'GET', url: '/v1/alerts', headers: f.auth('reader') }),
  );
  expect(reader).toEqual([...Array(8).fill(200), 429, 429]);
  const other = await f.app.inject({ method: 'GET', url: '/v1/alerts', headers: f.auth('all') });
  expect(other.statusCode).toBe(200);
  expect(other.headers['x-ratelimit-remaining']).toBe('7');
});

it('gives writes a smaller budget, apart from reads', async () => {
  const writes = await statuses(4, () =>
    f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-rl/flags',
      headers: f.auth('maker'),
      payload: { kind: 'confirmed', reason: 'campaign wallet' },
    }),
  );
  expect(writes).toEqual([201, 201, 201, 429]);
  const read = await f.app.inject({ method: 'GET', url: '/v1/wallets/w-rl/flags', headers: f.auth('maker') });
  expect(read.statusCode).toBe(200);
  expect(read.json().flags).toHaveLength(3);
});

it('counts requests with no or a bad credential per address, so guessing keys is limited too', async () => {
  const guesses = await statuses(9, () =>
    f.app.inject({
      method: 'GET',
      url: '/v1/alerts',
      headers: { 'x-api-key': `fgk.reader.${'A'.repeat(43)}` },
    }),
  );
  expect(guesses).toEqual([...Array(8).fill(401), 429]);
  // The probes are not budgeted: an orchestrator polling them is never refused.
  const probes = await statuses(12, () => f.app.inject({ method: 'GET', url: '/healthz' }));
  expect(new Set(probes)).toEqual(new Set([200]));
});
