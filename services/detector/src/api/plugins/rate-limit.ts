// Request budgets per principal (anonymous callers: per IP), with a lower one for writes. The limit
// runs after authentication, so one principal cannot spend another's budget.
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiConfig } from '../../config/index.js';
import { ApiProblem } from '../problems.js';
import '../fastify-types.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function budgetKey(request: FastifyRequest): string {
  const who = request.principal ? request.principal.id : `ip:${request.ip}`;
  return `${who}|${WRITES.has(request.method) ? 'write' : 'read'}`;
}

const rateLimits: FastifyPluginAsync<{ limits: ApiConfig['rateLimit'] }> = async (app, { limits }) => {
  await app.register(rateLimit, {
    global: true,
    // Route-level onRequest hooks run after the application's, so the principal is known by now.
    hook: 'onRequest',
    timeWindow: limits.windowMs,
    max: (_request, key) => (key.endsWith('|write') ? limits.writeMax : limits.max),
    keyGenerator: budgetKey,
    errorResponseBuilder: (request, context) =>
      new ApiProblem(
        'FG_RATE_LIMITED',
        `${request.principal?.id ?? 'this address'} sent more than ${context.max} ${budgetKey(request).endsWith('|write') ? 'writes' : 'requests'} in ${limits.windowMs / 1000}s; retry in ${context.after}`,
      ),
  });
};

export default fp(rateLimits, { name: 'flowguard-rate-limit', fastify: '5.x' });
