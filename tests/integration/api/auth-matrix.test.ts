// Every /v1 route against every kind of caller: none, the wrong scope, the right scope, an expired
// key, a key revoked while the process runs, and OIDC tokens that are forged, expired or for another
// audience. The route table is checked against the OpenAPI document, so a new route cannot skip it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeApiKeyFile } from '../../../services/detector/src/api/auth/api-keys.js';
import type { Scope } from '../../../services/detector/src/api/auth/scopes.js';
import { eventually, startApiFixture, type ApiFixture, type Role } from '../../support/api-fixture.js';
import { riskOfWallet } from '../../support/wallet-risk-sample.js';

interface RouteCase {
  method: 'GET' | 'POST' | 'DELETE';
  /** Route pattern as the OpenAPI document names it. */
  path: string;
  url: () => string;
  scope: Scope;
  payload?: () => unknown;
  /** The status the right principal gets (by what the request asks). */
  expected: number;
}

const RIGHT: Record<Scope, Role> = {
  'risk:read': 'reader',
  'alerts:read': 'reader',
  'flags:write': 'maker',
  'flags:approve': 'checker',
  'watchlist:write': 'watcher',
  'transactions:write': 'ingest',
};
const WRONG: Record<Scope, Role> = {
  'risk:read': 'ingest',
  'alerts:read': 'watcher',
  'flags:write': 'reader',
  'flags:approve': 'maker',
  'watchlist:write': 'reader',
  'transactions:write': 'reader',
};

let f: ApiFixture;
let oidcApp: FastifyInstance;
let jwks: Server;
let issuer: string;
let signingKey: CryptoKey;
let forgedKey: CryptoKey;
const AUDIENCE = 'flowguard-api';
const flagIds: Record<'approve' | 'reject' | 'revoke', string> = { approve: '', reject: '', revoke: '' };
const listed = 'w-auth-listed';

const routes: RouteCase[] = [
  {
    method: 'GET',
    path: '/v1/wallets/{walletId}/risk',
    url: () => '/v1/wallets/w-auth-known/risk',
    scope: 'risk:read',
    expected: 200,
  },
  {
    method: 'POST',
    path: '/v1/wallets/{walletId}/flags',
    url: () => '/v1/wallets/w-auth-flagged/flags',
    scope: 'flags:write',
    payload: () => ({ kind: 'confirmed', reason: 'seen in the campaign post' }),
    expected: 201,
  },
  {
    method: 'GET',
    path: '/v1/wallets/{walletId}/flags',
    url: () => '/v1/wallets/w-auth-flagged/flags',
    scope: 'risk:read',
    expected: 200,
  },
  {
    method: 'GET',
    path: '/v1/flags',
    url: () => '/v1/flags?status=pending-approval',
    scope: 'flags:approve',
    expected: 200,
  },
  {
    method: 'GET',
    path: '/v1/flags/{flagId}',
    url: () => `/v1/flags/${flagIds.approve}`,
    scope: 'risk:read',
    expected: 200,
  },
  {
    method: 'POST',
    path: '/v1/flags/{flagId}/approve',
    url: () => `/v1/flags/${flagIds.approve}/approve`,
    scope: 'flags:approve',
    payload: () => ({ reason: 'checked the merchant contract' }),
    expected: 200,
  },
  {
    method: 'POST',
    path: '/v1/flags/{flagId}/reject',
    url: () => `/v1/flags/${flagIds.reject}/reject`,
    scope: 'flags:approve',
    payload: () => ({ reason: 'not enough evidence' }),
    expected: 200,
  },
  {
    method: 'POST',
    path: '/v1/flags/{flagId}/revoke',
    url: () => `/v1/flags/${flagIds.revoke}/revoke`,
    scope: 'flags:write',
    payload: () => ({ reason: 'entered by mistake' }),
    expected: 200,
  },
  {
    method: 'POST',
    path: '/v1/watchlist',
    url: () => '/v1/watchlist',
    scope: 'watchlist:write',
    payload: () => ({
      walletId: 'w-auth-new-listing',
      source: 'channel post',
      url: 'https://example.org/post/1',
    }),
    expected: 201,
  },
  {
    method: 'DELETE',
    path: '/v1/watchlist/{walletId}',
    url: () => `/v1/watchlist/${listed}`,
    scope: 'watchlist:write',
    payload: () => ({ reason: 'source retracted' }),
    expected: 200,
  },
  { method: 'GET', path: '/v1/watchlist', url: () => '/v1/watchlist', scope: 'risk:read', expected: 200 },
  { method: 'GET', path: '/v1/alerts', url: () => '/v1/alerts?limit=5', scope: 'alerts:read', expected: 200 },
  {
    method: 'GET',
    path: '/v1/alerts/{alertId}',
    url: () => '/v1/alerts/no-such-alert',
    scope: 'alerts:read',
    expected: 404,
  },
  {
    method: 'GET',
    path: '/v1/alerts/stream',
    url: () => '/v1/alerts/stream',
    scope: 'alerts:read',
    expected: 200,
  },
  {
    method: 'GET',
    path: '/v1/audit',
    url: () => '/v1/audit?walletId=w-auth-flagged',
    scope: 'alerts:read',
    expected: 200,
  },
  {
    method: 'POST',
    path: '/v1/transactions',
    url: () => '/v1/transactions',
    scope: 'transactions:write',
    payload: () => ({
      eventId: `auth-${Date.now()}`,
      occurredAt: new Date().toISOString(),
      type: 'deposit',
      amount: '300.00',
      currency: 'RUB',
      fromRef: 'card-1',
      toWalletId: 'w-auth-known',
    }),
    expected: 202,
  },
];

async function call(app: FastifyInstance, route: RouteCase, headers: Record<string, string>) {
  return app.inject({
    method: route.method,
    url: route.url(),
    headers,
    ...(route.payload ? { payload: route.payload() as object } : {}),
  });
}

async function token(claims: {
  scope?: string | string[];
  aud?: string;
  expiresIn?: string;
  key?: CryptoKey;
  iat?: number;
}) {
  const jwt = new SignJWT({ ...(claims.scope !== undefined ? { scope: claims.scope } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setIssuer(issuer)
    .setAudience(claims.aud ?? AUDIENCE)
    .setSubject('analyst-7');
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  jwt.setExpirationTime(claims.expiresIn ?? '5m');
  return jwt.sign(claims.key ?? signingKey);
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  forgedKey = (await generateKeyPair('RS256')).privateKey;
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  jwks = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/`;

  f = await startApiFixture({ env: { RATE_LIMIT_MAX: '100000', RATE_LIMIT_WRITE_MAX: '100000' } });
  f.knownWallets.set('w-auth-known', riskOfWallet('w-auth-known'));
  oidcApp = await f.rebuild({
    OIDC_ISSUER: issuer,
    OIDC_AUDIENCE: AUDIENCE,
    OIDC_JWKS_URL: `${issuer}jwks.json`,
  });
  for (const action of ['approve', 'reject', 'revoke'] as const) {
    const response = await f.app.inject({
      method: 'POST',
      url: `/v1/wallets/w-auth-${action}/flags`,
      headers: f.auth('maker'),
      payload: { kind: 'false-positive', reason: 'a known merchant' },
    });
    expect(response.statusCode).toBe(201);
    flagIds[action] = response.json().flagId;
  }
  const listing = await f.app.inject({
    method: 'POST',
    url: '/v1/watchlist',
    headers: f.auth('watcher'),
    payload: { walletId: listed, source: 'channel post' },
  });
  expect(listing.statusCode).toBe(201);
});

afterAll(async () => {
  await f?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

describe('the route table', () => {
  it('covers every /v1 operation of the OpenAPI document', async () => {
    const document = (await f.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(operations.sort());
  });
});

describe.each(routes)('$method $path', (route) => {
  it('answers 401 with WWW-Authenticate to a request without a credential', async () => {
    const response = await call(f.app, route, {});
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="flowguard"/);
    expect(response.json().code).toBe('FG_UNAUTHENTICATED');
  });

  it('answers 403 to a key without the scope', async () => {
    const response = await call(f.app, route, f.auth(WRONG[route.scope]));
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toContain(route.scope);
  });

  it('answers 401 to an expired key and to a revoked key', async () => {
    const expired = await call(f.app, route, { 'x-api-key': f.keys.expired });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().detail).toContain('expired');
    const revoked = await call(f.app, route, f.auth('revoked'));
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().detail).toContain('revoked');
  });

  it('answers 401 to a forged, an expired and a foreign-audience token', async () => {
    const all = 'risk:read alerts:read flags:write flags:approve watchlist:write transactions:write';
    const cases = [
      { jwt: await token({ scope: all, key: forgedKey }), detail: 'signature' },
      {
        jwt: await token({ scope: all, iat: Math.floor(Date.now() / 1000) - 3600, expiresIn: '-10m' }),
        detail: 'expired',
      },
      { jwt: await token({ scope: all, aud: 'another-service' }), detail: 'aud' },
    ];
    for (const { jwt, detail } of cases) {
      const response = await call(oidcApp, route, { authorization: `Bearer ${jwt}` });
      expect(response.statusCode, detail).toBe(401);
      expect(response.headers['www-authenticate']).toContain('invalid_token');
      expect(response.json().detail).toContain(detail);
    }
  });

  it('serves the right scope (by what the request asks)', async () => {
    if (route.path === '/v1/alerts/stream') {
      await f.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = f.app.server.address() as AddressInfo;
      const abort = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}${route.url()}`, {
        headers: f.auth(RIGHT[route.scope]),
        signal: abort.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/event-stream');
      abort.abort();
      return;
    }
    const response = await call(f.app, route, f.auth(RIGHT[route.scope]));
    expect(response.statusCode, response.body).toBe(route.expected);
  });
});

describe('OIDC tokens', () => {
  it('are accepted with the scope from the claim, as a string or an array, and refused without it', async () => {
    const reader = await token({ scope: 'risk:read alerts:read' });
    const asArray = await token({ scope: ['alerts:read'] });
    const alerts = await oidcApp.inject({
      method: 'GET',
      url: '/v1/alerts',
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(alerts.statusCode).toBe(200);
    const viaArray = await oidcApp.inject({
      method: 'GET',
      url: '/v1/audit',
      headers: { authorization: `Bearer ${asArray}` },
    });
    expect(viaArray.statusCode).toBe(200);
    const write = await oidcApp.inject({
      method: 'POST',
      url: '/v1/wallets/w-oidc/flags',
      headers: { authorization: `Bearer ${reader}` },
      payload: { kind: 'confirmed', reason: 'seen in the campaign post' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().detail).toContain('oidc:analyst-7');
  });

  it('answer 503, not 401, when the identity provider cannot be reached to check them', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const away = await f.rebuild({
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`,
    });
    const response = await away.inject({
      method: 'GET',
      url: '/v1/alerts',
      headers: { authorization: `Bearer ${await token({ scope: 'alerts:read' })}` },
    });
    expect(response.statusCode).toBe(503);
    expect(response.json().code).toBe('FG_AUTH_UNAVAILABLE');
    await away.close();
  });

  it('records the token subject as the principal of a decision', async () => {
    const writer = await token({ scope: 'flags:write' });
    const response = await oidcApp.inject({
      method: 'POST',
      url: '/v1/wallets/w-oidc/flags',
      headers: { authorization: `Bearer ${writer}` },
      payload: { kind: 'confirmed', reason: 'seen in the campaign post' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().createdBy).toBe('oidc:analyst-7');
  });
});

describe('a key revoked in the key file', () => {
  it('stops working once the file is reloaded, on every route', async () => {
    const before = await f.app.inject({ method: 'GET', url: '/v1/alerts', headers: f.auth('all') });
    expect(before.statusCode).toBe(200);
    writeApiKeyFile(f.keyFile, {
      keys: f.records.map((record) => (record.id === 'all' ? { ...record, revoked: true } : record)),
    });
    await eventually(
      async () =>
        (await f.app.inject({ method: 'GET', url: '/v1/alerts', headers: f.auth('all') })).statusCode === 401,
    );
    for (const route of routes) {
      const response = await call(f.app, route, f.auth('all'));
      expect(response.statusCode, `${route.method} ${route.path}`).toBe(401);
      expect(response.json().detail).toBe('API key all is revoked');
    }
  });
});

describe('credentials in logs', () => {
  it('are never written, whatever the route answered', () => {
    const log = f.logLines.join('');
    expect(log).toContain('api request');
    for (const key of Object.values(f.keys)) expect(log).not.toContain(key.split('.')[2]);
  });
});
