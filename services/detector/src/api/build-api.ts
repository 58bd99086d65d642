// Builds the FlowGuard API: one plugin per concern (headers, authentication, rate limit, problems,
// OpenAPI, Kafka producers, indexes), then the routes. The detector process starts it (listen).
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ApiDeps } from './api-deps.js';
import { consolePlugin } from './console-plugin.js';
import { ApiKeyStore } from './auth/api-key-store.js';
import { Authenticator } from './auth/authenticator.js';
import { OidcVerifier } from './auth/oidc-verifier.js';
import accessLog from './plugins/access-log.js';
import authentication from './plugins/authentication.js';
import indexes from './plugins/indexes.js';
import kafkaProducers from './plugins/kafka-producers.js';
import openapi from './plugins/openapi.js';
import problemDetails from './plugins/problem-details.js';
import rateLimit from './plugins/rate-limit.js';
import securityHeaders from './plugins/security-headers.js';
import { probeRoutes } from './routes/probe-routes.js';
import { alertRoutes } from './routes/v1/alert-routes.js';
import { auditRoutes } from './routes/v1/audit-routes.js';
import { flagRoutes } from './routes/v1/flag-routes.js';
import { riskRoutes } from './routes/v1/risk-routes.js';
import { transactionRoutes } from './routes/v1/transaction-routes.js';
import { watchlistRoutes } from './routes/v1/watchlist-routes.js';

export type { ApiDeps, Readiness } from './api-deps.js';

/** Credentials never reach a log line, whatever logs a request or its headers. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'request.headers.authorization',
  'request.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { config, metrics } = deps;
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child(
    { component: 'api' },
    { redact: { paths: REDACTED, censor: '[redacted]' } },
  );

  const keys = config.api.keysFile
    ? new ApiKeyStore(config.api.keysFile, config.api.keysReloadIntervalMs, logger)
    : null;
  keys?.start();
  const oidc = config.api.oidc ? new OidcVerifier(config.api.oidc) : null;
  const authenticator = new Authenticator(keys, oidc, now);
  if (authenticator.closed) logger.warn('no API_KEYS_FILE and no OIDC: every /v1 route answers 401');

  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Probes are frequent; /v1 requests get one line each from the access log.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.api.bodyLimit,
    genReqId: () => randomUUID(),
    // Long ids reach the schema (400 with a reason) instead of the router's bare 414.
    routerOptions: { maxParamLength: 512 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // The API reads JSON only: any other body is a 415, not a string handed to the schema.
  app.removeContentTypeParser('text/plain');
  app.addHook('onClose', async () => keys?.stop());

  await app.register(securityHeaders, { corsOrigins: config.api.corsOrigins });
  await app.register(accessLog);
  await app.register(authentication, { authenticator, metrics });
  await app.register(rateLimit, { limits: config.api.rateLimit });
  await app.register(problemDetails);
  await app.register(openapi);
  await app.register(kafkaProducers, { config, kafka: deps.kafka, logger });
  await app.register(indexes, { config, kafka: deps.kafka, redis: deps.redis, logger, metrics, now });

  const v1 = { config, catalog: deps.catalog, riskOf: deps.riskOf, logger, now };
  await app.register(probeRoutes, { readiness: deps.readiness, metrics });
  await app.register(riskRoutes, v1);
  await app.register(flagRoutes, v1);
  await app.register(watchlistRoutes, v1);
  await app.register(alertRoutes, v1);
  await app.register(auditRoutes, v1);
  await app.register(transactionRoutes, v1);
  // The analyst console: static files open, its data behind the same authentication as the API.
  await app.register(consolePlugin);
  await app.ready();
  return app;
}
