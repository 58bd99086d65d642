// Builds the Fastify app (routes, error handling, OpenAPI); server.ts starts it.
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { walletRoutes, type WalletRouteDeps } from './routes/v1/wallet-routes.js';

export interface AppDeps extends WalletRouteDeps {
  logger: Logger;
  metrics: Metrics;
  /** Named checks; /readyz is ready when all pass. */
  readiness: Record<string, () => Promise<boolean> | boolean>;
  rulesStatus: () => Record<string, unknown>;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Probes and risk queries are frequent; errors are still logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Long ids reach our own validation (400 with a reason) instead of the router's bare 414.
    routerOptions: { maxParamLength: 512 },
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'FlowGuard detector',
        version: '1.0.0',
        description: 'Wallet risk and analyst feedback',
      },
    },
  });

  // One error handler: the reason for 4xx, a bare message for 5xx (details go to the log).
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({ error: 'Internal Server Error', message: 'Internal Server Error' });
    }
    return reply
      .code(status)
      .send({ error: status === 404 ? 'Not Found' : 'Bad Request', message: error.message });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    // Each check gets a short deadline: a client waiting to reconnect must not hang the probe.
    const entries = await Promise.all(
      Object.entries(deps.readiness).map(
        async ([name, check]) => [name, await withinDeadline(check)] as const,
      ),
    );
    const checks: Record<string, boolean> = Object.fromEntries(entries);
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ ready, checks, rules: deps.rulesStatus() });
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
  app.get('/openapi.json', async () => app.swagger());

  await walletRoutes(app, deps);
  return app;
}

const READINESS_DEADLINE_MS = 2_000;

async function withinDeadline(check: () => Promise<boolean> | boolean): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), READINESS_DEADLINE_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), deadline]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
