// The OpenAPI 3.1 document, generated from the routes' zod schemas (fastify-type-provider-zod), with
// the security schemes, each route's scope, and the problem answers it can give. Served at /openapi.json.
import swagger from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ProblemSchema } from '../../../../../schemas/problem.js';
import { apiSchemas } from '../openapi-schemas.js';
import { PROBLEM_CONTENT_TYPE } from '../problems.js';
import '../fastify-types.js';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request breaks the contract (each violation listed in `errors`)',
  401: 'No valid credential (see WWW-Authenticate)',
  403: 'The credential lacks the scope, or the action needs another principal',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this, or another action on it is in progress',
  413: 'The body is larger than BODY_LIMIT',
  415: 'The body is not JSON',
  429: "The principal's request budget is spent (see Retry-After)",
  500: 'An unexpected failure (the log has the cause)',
  503: 'Kafka, Redis or the identity provider is unavailable; retry',
};

/** Every /v1 route can answer these; routes add their own through `config.problems`. */
const SCOPED_PROBLEMS = [400, 401, 403, 429, 500, 503];

const zodTransform = createJsonSchemaTransform({ schemaRegistry: apiSchemas, skipList: [] });

type TransformInput = Parameters<typeof zodTransform>[0];

function withSecurityAndProblems(input: TransformInput): ReturnType<typeof zodTransform> {
  const route = (input as { route?: { config?: { scope?: string; problems?: number[] } } }).route;
  const config = route?.config ?? {};
  if (!input.schema || input.schema.hide) return zodTransform(input);
  const statuses = config.scope ? [...SCOPED_PROBLEMS, ...(config.problems ?? [])] : (config.problems ?? []);
  const problems = Object.fromEntries(
    [...new Set(statuses)].sort().map((status) => [
      status,
      {
        description: PROBLEM_DESCRIPTIONS[status] ?? 'Problem',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      },
    ]),
  );
  const security: Record<string, string[]>[] = config.scope ? [{ apiKey: [] }, { bearerAuth: [] }] : [];
  const schema = {
    ...input.schema,
    response: { ...problems, ...(input.schema.response as object | undefined) },
    security,
    ...(config.scope
      ? {
          description: [input.schema.description, `Requires scope \`${config.scope}\`.`]
            .filter(Boolean)
            .join('\n\n'),
        }
      : {}),
  };
  return zodTransform({ ...input, schema } as unknown as TransformInput);
}

const openapi: FastifyPluginAsync = async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'FlowGuard API',
        version: '2.0.0',
        description:
          'Wallet risk, alerts, the audit trail, analyst flags (maker-checker), the watchlist and HTTP ingestion. ' +
          'Errors are RFC 9457 problem details (application/problem+json).',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A FlowGuard API key' },
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A FlowGuard API key, or an OIDC access token from the configured issuer',
          },
        },
      },
    },
    transform: withSecurityAndProblems,
    transformObject: createJsonSchemaTransformObject({ schemaRegistry: apiSchemas }),
  });
};

export default fp(openapi, { name: 'flowguard-openapi', fastify: '5.x' });
