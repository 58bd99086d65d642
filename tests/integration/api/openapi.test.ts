// The OpenAPI document at /openapi.json: a valid OpenAPI 3 document, generated from the zod schemas,
// that names the request and response bodies, the security schemes and each route's problems.
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../../support/api-fixture.js';

let f: ApiFixture;
let document: OpenAPIV3_1.Document;

beforeAll(async () => {
  f = await startApiFixture();
  const response = await f.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  document = response.json();
});

afterAll(async () => {
  await f?.close();
});

type Operation = OpenAPIV3_1.OperationObject;

function operation(path: string, method: 'get' | 'post' | 'delete'): Operation {
  const found = document.paths?.[path]?.[method];
  expect(found, `${method} ${path}`).toBeDefined();
  return found!;
}

function v1Operations(): [string, Operation][] {
  return Object.entries(document.paths ?? {})
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) =>
      (['get', 'post', 'delete'] as const)
        .filter((m) => item?.[m])
        .map((m) => [`${m} ${path}`, item![m]!] as [string, Operation]),
    );
}

it('validates as OpenAPI 3', async () => {
  const copy = structuredClone(document);
  await expect(SwaggerParser.validate(copy as never)).resolves.toBeDefined();
  expect(document.openapi).toMatch(/^3\./);
  // The validator does look: the same document with a broken operation is refused.
  const broken = structuredClone(document) as unknown as {
    paths: Record<string, { get: { responses: unknown } }>;
  };
  broken.paths['/healthz']!.get.responses = 'none';
  await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
});

it('declares the API key and bearer schemes, and every /v1 operation requires one of them', () => {
  expect(document.components?.securitySchemes).toEqual({
    apiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
    bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
  });
  const operations = v1Operations();
  expect(operations.length).toBeGreaterThanOrEqual(16);
  for (const [name, op] of operations) {
    expect(op.security, name).toEqual([{ apiKey: [] }, { bearerAuth: [] }]);
    expect(op.description, name).toMatch(/Requires scope `[a-z]+:[a-z]+`/);
    for (const status of ['401', '403', '429']) {
      const response = op.responses?.[status] as OpenAPIV3_1.ResponseObject | undefined;
      expect(response?.content?.['application/problem+json']?.schema, `${name} ${status}`).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    }
  }
  expect(operation('/healthz', 'get').security).toEqual([]);
});

it('names request bodies, parameters and response bodies from the zod schemas', () => {
  const flagPost = operation('/v1/wallets/{walletId}/flags', 'post');
  expect((flagPost.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']!.schema).toEqual(
    {
      $ref: '#/components/schemas/WalletFlagRequestInput',
    },
  );
  expect(flagPost.parameters).toEqual([
    expect.objectContaining({ name: 'walletId', in: 'path', required: true }),
  ]);
  expect(
    (flagPost.responses!['201'] as OpenAPIV3_1.ResponseObject).content!['application/json']!.schema,
  ).toEqual({
    $ref: '#/components/schemas/WalletFlag',
  });
  const risk = operation('/v1/wallets/{walletId}/risk', 'get');
  expect((risk.responses!['200'] as OpenAPIV3_1.ResponseObject).content!['application/json']!.schema).toEqual(
    {
      $ref: '#/components/schemas/WalletRisk',
    },
  );
  expect(risk.responses!['404']).toBeDefined();
  const alerts = operation('/v1/alerts', 'get');
  expect(alerts.parameters!.map((p) => (p as OpenAPIV3_1.ParameterObject).name).sort()).toEqual(
    ['cursor', 'from', 'limit', 'rule', 'severity', 'to', 'walletId'].sort(),
  );
  const ingest = operation('/v1/transactions', 'post');
  const ingestBody = JSON.stringify(
    (ingest.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']!.schema,
  );
  expect(ingestBody).toContain('#/components/schemas/TransactionEventInput');
  const schemas = document.components?.schemas ?? {};
  // Response bodies are named as they are (Alert); request bodies as they are read (TransactionEventInput).
  for (const name of [
    'Problem',
    'Alert',
    'AuditRecord',
    'WalletRisk',
    'WatchlistEntry',
    'TransactionEventInput',
  ])
    expect(schemas[name], name).toBeDefined();
  for (const [name, op] of v1Operations()) {
    const success = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith('2'));
    expect(success, name).toBeDefined();
    expect((success![1] as OpenAPIV3_1.ResponseObject).content, name).toBeDefined();
  }
});
