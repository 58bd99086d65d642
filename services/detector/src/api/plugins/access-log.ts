// One log line per /v1 request (route, status, principal, time) and the request id on every answer,
// so a caller can quote it (it is the problem's `instance` and the audit record's `requestId`). Never
// the credential: the logger redacts the authorization and x-api-key headers wherever they appear.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import '../fastify-types.js';

const accessLog: FastifyPluginAsync = async (app) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!request.routeOptions.config.scope) return;
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url,
        status: reply.statusCode,
        principal: request.principal?.id ?? null,
        ms: Math.round(reply.elapsedTime),
      },
      'api request',
    );
  });
};

export default fp(accessLog, { name: 'flowguard-access-log', fastify: '5.x' });
