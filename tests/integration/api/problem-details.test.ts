// Every error the API answers is an RFC 9457 problem: application/problem+json with a stable type per
// code, a title, the status, the reason (4xx) or a bare message (5xx), and the request id.
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;

beforeAll(async () => {
  f = await startApiFixture({
    env: { BODY_LIMIT: '4096', RATE_LIMIT_MAX: '20', RATE_LIMIT_WRITE_MAX: '20' },
    riskOf: async (walletId) => {
      if (walletId === 'w-explodes')
        throw new Error('connection reset by 10.1.2.3:6379 while reading fg:{w:w-explodes}');
      return null;
    },
  });
});

afterAll(async () => {
  await f?.close();
});

function expectProblem(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem).toEqual({
    type: `https://flowguard.dev/problems/${code.replace(/^FG_/, '').toLowerCase().replaceAll('_', '-')}`,
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: response.headers['x-request-id'],
    code,
    ...(problem.errors ? { errors: problem.errors } : {}),
  });
  expect(response.body).not.toMatch(/\bat .*\.(ts|js):\d+/);
  return problem;
}

describe('problem details', () => {
  it('400 names each contract violation and where it is', async () => {
    const response = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-1/flags',
      headers: f.auth('maker'),
      payload: { kind: 'suspicious', reason: 'x' },
    });
    const problem = expectProblem(response, 400, 'FG_BAD_REQUEST');
    expect(problem.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'body.kind',
      'body.reason',
    ]);
    expect(problem.detail).toContain('body.kind');

    const badId = await f.app.inject({
      method: 'GET',
      url: '/v1/wallets/has%20space/risk',
      headers: f.auth('reader'),
    });
    expect(expectProblem(badId, 400, 'FG_BAD_REQUEST').errors[0].path).toBe('params.walletId');

    const notJson = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-1/flags',
      headers: { ...f.auth('maker'), 'content-type': 'application/json' },
      payload: '{"kind": ',
    });
    expectProblem(notJson, 400, 'FG_BAD_REQUEST');
  });

  it('401 and 403 say what is missing', async () => {
    expectProblem(await f.app.inject({ method: 'GET', url: '/v1/audit' }), 401, 'FG_UNAUTHENTICATED');
    const wrongScheme = await f.app.inject({
      method: 'GET',
      url: '/v1/audit',
      headers: { authorization: 'Basic dXNlcjpwdw==' },
    });
    expect(expectProblem(wrongScheme, 401, 'FG_UNAUTHENTICATED').detail).toContain('Bearer');
    const forbidden = await f.app.inject({ method: 'GET', url: '/v1/audit', headers: f.auth('maker') });
    expect(expectProblem(forbidden, 403, 'FG_FORBIDDEN').detail).toBe(
      'key:maker lacks the scope alerts:read this route needs',
    );
  });

  it('404 for an unknown wallet, alert and route', async () => {
    const wallet = await f.app.inject({
      method: 'GET',
      url: '/v1/wallets/w-never-seen/risk',
      headers: f.auth('reader'),
    });
    expect(expectProblem(wallet, 404, 'FG_NOT_FOUND').detail).toContain('w-never-seen');
    expectProblem(
      await f.app.inject({ method: 'GET', url: '/v1/alerts/nope', headers: f.auth('reader') }),
      404,
      'FG_NOT_FOUND',
    );
    expectProblem(await f.app.inject({ method: 'GET', url: '/v2/anything' }), 404, 'FG_NOT_FOUND');
  });

  it('413 for a body over BODY_LIMIT, 415 for one that is not JSON', async () => {
    const big = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-1/flags',
      headers: f.auth('maker'),
      payload: { kind: 'confirmed', reason: 'x'.repeat(5000) },
    });
    expectProblem(big, 413, 'FG_BODY_TOO_LARGE');
    const text = await f.app.inject({
      method: 'POST',
      url: '/v1/wallets/w-1/flags',
      headers: { ...f.auth('maker'), 'content-type': 'text/plain' },
      payload: 'confirmed',
    });
    expectProblem(text, 415, 'FG_UNSUPPORTED_MEDIA_TYPE');
  });

  it('500 says nothing of the cause', async () => {
    const response = await f.app.inject({
      method: 'GET',
      url: '/v1/wallets/w-explodes/risk',
      headers: f.auth('reader'),
    });
    const problem = expectProblem(response, 500, 'FG_INTERNAL');
    expect(problem.detail).toBe('Internal Server Error');
    expect(response.body).not.toContain('10.1.2.3');
    expect(f.logLines.join('')).toContain('connection reset by 10.1.2.3');
  });

  it('429 once the budget is spent, with Retry-After', async () => {
    let response: LightMyRequestResponse | undefined;
    for (let i = 0; i < 21; i++)
      response = await f.app.inject({ method: 'GET', url: '/v1/watchlist', headers: f.auth('watcher') });
    const problem = expectProblem(response!, 429, 'FG_RATE_LIMITED');
    expect(problem.detail).toContain('key:watcher');
    expect(Number(response!.headers['retry-after'])).toBeGreaterThan(0);
  });
});
