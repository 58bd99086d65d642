// Open routes: liveness, readiness (503 with the reasons), Prometheus metrics, the OpenAPI document.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps, Readiness } from '../api-deps.js';

const READINESS_DEADLINE_MS = 2_000;

const ReadinessSchema = z.object({
  ready: z.boolean(),
  reasons: z.array(z.string()),
  checks: z.record(z.string(), z.unknown()),
});

export const probeRoutes: FastifyPluginAsyncZod<Pick<ApiDeps, 'readiness' | 'metrics'>> = async (
  app,
  deps,
) => {
  const open = { rateLimit: false as const };

  app.get(
    '/healthz',
    {
      config: open,
      schema: {
        summary: 'Liveness: the process answers',
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: open,
      schema: {
        summary: 'Readiness: 200 when the detector can work, 503 with the reasons when not',
        response: { 200: ReadinessSchema, 503: ReadinessSchema },
      },
    },
    async (_request, reply) => {
      const readiness = await withinDeadline(deps.readiness);
      const checks = { ...readiness.checks, api: app.indexes.status() };
      return reply.code(readiness.ready ? 200 : 503).send({ ...readiness, checks });
    },
  );

  app.get(
    '/metrics',
    // No response schema: the exposition format is text, sent as prom-client writes it.
    { config: open, schema: { summary: 'Prometheus metrics (text exposition format)' } },
    async (_request, reply) => {
      reply.type(deps.metrics.registry.contentType);
      return deps.metrics.registry.metrics();
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

/** A readiness check that hangs (a client waiting to reconnect) must not hang the probe. */
async function withinDeadline(check: () => Promise<Readiness>): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reasons: ['readiness check did not answer within 2s'], checks: {} }),
      READINESS_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([check(), deadline]);
  } catch (error) {
    return { ready: false, reasons: [`readiness check failed: ${(error as Error).message}`], checks: {} };
  } finally {
    clearTimeout(timer);
  }
}
